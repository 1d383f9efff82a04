"""`lectr serve`: first-start set-up, then the aiohttp server."""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from lectr.app import build_app
from lectr.config import Settings
from lectr.proxy.auth import hash_key, new_key
from lectr.store import open_store

log = logging.getLogger("lectr")


async def _first_start(settings: Settings) -> str | None:
    """Create the `default` org on an empty database; return its key (shown once) or None."""
    store = open_store(settings.resolved_database_url)
    await store.open()
    try:
        if await store.count_orgs() > 0:
            return None
        key = new_key()
        await store.create_org("default", hash_key(key))
        return key
    finally:
        await store.close()


def _welcome(key: str, base: str) -> str:
    return f"""
Lectr created the org `default`. Its key is shown only this once:

    {key}

Try it (your OpenAI key is forwarded, never stored):

    curl {base}/v1/chat/completions \\
      -H "X-Lectr-Key: {key}" \\
      -H "Authorization: Bearer $OPENAI_API_KEY" \\
      -H "Content-Type: application/json" \\
      -d '{{"model": "gpt-4o-mini", "messages": [{{"role": "user", "content": "Hello"}}]}}'

SDKs: set base_url="{base}/v1" and default_headers={{"X-Lectr-Key": "<key>"}}.
"""


def serve(settings: Settings, host: str, port: int, *, as_json: bool = False) -> int:
    logging.getLogger().setLevel(settings.log_level.upper())
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency on every supported platform
        pass
    key = asyncio.run(_first_start(settings))
    base = f"http://{host}:{port}"
    if key is not None:
        print(json.dumps({"org": "default", "key": key}) if as_json else _welcome(key, base), flush=True)
    print(f"Lectr listening on {base} (store: {settings.resolved_database_url.split('://')[0]})", flush=True)
    web.run_app(build_app(settings), host=host, port=port, access_log=None, print=None, handler_cancellation=True)
    return 0
