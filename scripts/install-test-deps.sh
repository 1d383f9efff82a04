#!/usr/bin/env bash
# Non-Python test dependencies: the Node SDK smoke test's packages, and Debian's Chromium for the
# Playwright browser tests (never `playwright install`: no browser downloads). Runs as root in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v npm >/dev/null 2>&1 && [ -f tests/node/package.json ] && [ ! -d tests/node/node_modules ]; then
  (cd tests/node && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
if ! command -v chromium >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi
