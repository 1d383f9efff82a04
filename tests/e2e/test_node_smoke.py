"""The OpenAI Node SDK, configured exactly as the seed page shows, through Lectr: plain and streamed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, openai_direct
from tests.support.gateway import Gateway

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
MESSAGES = [{"role": "user", "content": "Say hello from Node"}]  # as in smoke.mjs


@pytest.fixture(scope="module")
def node_project() -> Path:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"NODE SMOKE TEST NOT RUN: {' and '.join(missing)} not on PATH — the Node SDK is untested")
    if not (NODE_DIR / "node_modules" / "openai").is_dir():
        result = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"npm install failed:\n{result.stdout}\n{result.stderr}"
    return NODE_DIR


def test_openai_node_sdk_through_lectr(
    node_project: Path, gateway: Gateway, fakes: FakeProviders, org_key: str
) -> None:
    env = {**gateway.env, "LECTR_URL": gateway.url, "LECTR_KEY": org_key, "OPENAI_API_KEY": PROVIDER_KEYS["openai"]}
    result = subprocess.run(["node", "smoke.mjs"], cwd=node_project, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"node smoke.mjs failed:\n{result.stdout}\n{result.stderr}"
    out = json.loads(result.stdout.strip().splitlines()[-1])

    expected = openai_direct(fakes.base_urls["openai"]).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert out["non_stream"]["content"] == expected.choices[0].message.content
    assert out["non_stream"]["model"] == expected.model
    assert out["stream"]["content"] == expected.choices[0].message.content
    assert out["stream"]["saw_usage"] is False  # Lectr's include_usage never reaches a client that did not ask

    seen = fakes.last("openai")
    assert seen.headers["authorization"] == f"Bearer {PROVIDER_KEYS['openai']}"
    assert not [h for h in seen.headers if h.startswith("x-lectr-")]

    events = gateway.wait_events(org_key, 2)
    assert len(events) == 2
    assert sorted(e["streaming"] for e in events) == [False, True]
    assert all(e["provider"] == "openai" and e["status_code"] == 200 for e in events)
    assert all(e["model_requested"] == "gpt-4o-mini" for e in events)
    assert all(e["token_source"] == "provider" and e["output_tokens"] > 0 for e in events)
    [plain] = [e for e in events if not e["streaming"]]
    assert plain["request_id"] == out["non_stream"]["request_id"]
    assert (plain["input_tokens"], plain["output_tokens"]) == (
        out["non_stream"]["usage"]["prompt_tokens"], out["non_stream"]["usage"]["completion_tokens"])
