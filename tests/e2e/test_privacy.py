"""Nothing a user sends or receives — provider keys, org key, prompts, answers — is ever stored, logged or shown.

One gateway of the test's own gets traffic for all five providers, streamed and not, plus failures;
then every byte it wrote (database, WAL, log, any other file in its data dir) and every event the
API returns is searched for the secrets.
"""

from __future__ import annotations

import hashlib
import json
import re

import httpx
import openai
import pytest

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, anthropic_via, groq_via, openai_via
from tests.support.gateway import Gateway

SECRET = "SECRET-PROMPT-7f3a"
SYSTEM_SECRET = "SYSTEM-INSTRUCTIONS-c91e"


def _messages(provider: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": f"{SYSTEM_SECRET} be brief"},
        {"role": "user", "content": f"{SECRET} please greet {provider} kindly"},
    ]


def _chat(client, model: str, provider: str) -> list[str]:
    """One plain and one streamed chat completion; the texts the user saw."""
    reply = client.chat.completions.create(model=model, messages=_messages(provider))
    stream = client.chat.completions.create(model=model, messages=_messages(provider), stream=True)
    streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    return [reply.choices[0].message.content, streamed]


def _send_everything(gw: Gateway, fakes: FakeProviders, key: str) -> tuple[list[str], int]:
    """All five providers, streamed and not, and error cases. Returns (answers seen, events expected)."""
    answers: list[str] = []
    answers += _chat(openai_via(gw.url, key, **{"X-Lectr-Feature": "privacy"}), "gpt-4o", "openai")
    answers += _chat(openai_via(gw.url, key, provider="gemini"), "gemini-1.5-flash", "gemini")
    answers += _chat(groq_via(gw.url, key), "llama-3.1-8b-instant", "groq")
    answers += _chat(openai_via(gw.url, key, provider="azure", **{"X-Lectr-Provider": "azure"}), "prod-gpt4o", "azure")

    claude = anthropic_via(gw.url, key)
    message = claude.messages.create(
        model="claude-3-5-sonnet-20241022", max_tokens=64, system=SYSTEM_SECRET,
        messages=[{"role": "user", "content": f"{SECRET} please greet anthropic kindly"}],
    )
    answers.append(message.content[0].text)
    with claude.messages.stream(
        model="claude-3-5-sonnet-20241022", max_tokens=64, system=SYSTEM_SECRET,
        messages=[{"role": "user", "content": f"{SECRET} please greet anthropic kindly"}],
    ) as stream:
        answers.append("".join(stream.text_stream))
    expected_events = 10

    for provider in ("openai", "gemini", "groq", "azure", "anthropic"):
        assert SECRET.encode() in fakes.last(provider).body  # the prompt really went through Lectr

    # a body that is not JSON, carrying secrets, on the OpenAI and the Anthropic route
    broken = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "' + SECRET.encode() + b'"'
    for path, auth in (("/v1/chat/completions", {"Authorization": f"Bearer {PROVIDER_KEYS['openai']}"}),
                       ("/v1/v1/messages", {"x-api-key": PROVIDER_KEYS["anthropic"]})):
        response = httpx.post(gw.url + path, content=broken, timeout=10,
                              headers={"X-Lectr-Key": key, "Content-Type": "application/json", **auth})
        assert response.status_code == 400
        assert SECRET not in response.text
        expected_events += 1

    # JSON without a model
    with pytest.raises(openai.BadRequestError):
        openai_via(gw.url, key).chat.completions.create(model="", messages=_messages("openai"))
    expected_events += 1

    # the provider fails: its error passes through, streamed and not
    failing = openai_via(gw.url, key, **{"X-Fake-Scenario": "status:500"})
    with pytest.raises(openai.InternalServerError):
        failing.chat.completions.create(model="gpt-4o", messages=_messages("openai"))
    with pytest.raises(openai.InternalServerError):
        list(failing.chat.completions.create(model="gpt-4o", messages=_messages("openai"), stream=True))
    expected_events += 2

    # a stream that dies half-way
    dying = openai_via(gw.url, key, **{"X-Fake-Scenario": "die_midstream"})
    with pytest.raises(Exception):
        list(dying.chat.completions.create(model="gpt-4o", messages=_messages("openai"), stream=True))
    expected_events += 1
    return answers, expected_events


def _needles(org_key: str, rejected_key: str, answers: list[str]) -> dict[str, bytes]:
    needles = {f"{p} provider key": k.encode() for p, k in PROVIDER_KEYS.items()}
    for provider, key in PROVIDER_KEYS.items():  # the distinctive middle of each key, in case it is masked
        [core] = re.findall(r"[A-Za-z]+KEYtest", key)
        needles[f"{provider} provider key core"] = core.encode()
    needles["org key"] = org_key.encode()
    needles["org key without prefix"] = org_key.removeprefix("lc_key_").encode()
    needles["rejected org key"] = rejected_key.encode()
    needles["prompt"] = SECRET.encode()
    needles["prompt prefix"] = b"SECRET-PROMPT"
    needles["system prompt"] = SYSTEM_SECRET.encode()
    for i, answer in enumerate(answers):
        assert answer and len(answer) > 15
        needles[f"answer {i}"] = answer.encode()
    return needles


def _files(gw: Gateway) -> dict:
    """Every file in the gateway's data directory, as bytes."""
    return {p: p.read_bytes() for p in sorted(gw.data_dir.rglob("*")) if p.is_file()}


def _leaks(haystack: bytes, needles: dict[str, bytes]) -> list[str]:
    return [name for name, needle in needles.items() if needle in haystack]


def test_no_key_prompt_or_answer_is_stored_logged_or_returned(fakes: FakeProviders, fresh_gateway: Gateway) -> None:
    gw = fresh_gateway
    key = json.loads(gw.cli("orgs", "create", "privacy", "--json").stdout)["key"]
    gw.cli("azure", "set", "privacy", "--endpoint", fakes.base_urls["azure"])
    gw.start()
    gw.wait_key_accepted(key)

    answers, expected = _send_everything(gw, fakes, key)
    rejected_key = "lc_key_NOT-a-real-key-" + SECRET
    with pytest.raises(openai.AuthenticationError):
        openai_via(gw.url, rejected_key).chat.completions.create(model="gpt-4o", messages=_messages("openai"))

    events = gw.wait_events(key, expected)
    assert len(events) == expected
    providers = {e["provider"] for e in events}
    assert providers == {"openai", "gemini", "groq", "azure", "anthropic"}
    api_text = json.dumps(events).encode()
    ops_text = httpx.get(gw.url + "/metrics", timeout=10).content + httpx.get(gw.url + "/health", timeout=10).content

    running = _files(gw)  # while it runs, SQLite's WAL holds the newest writes
    assert not gw.on_sqlite or any(path.name.endswith("-wal") for path in running)
    running_db = gw.stored_bytes()
    gw.stop()
    files = _files(gw)
    assert gw.log_path in files
    db = running_db + gw.stored_bytes()
    log = files[gw.log_path]
    assert log.strip(), "the DEBUG log is empty: nothing was searched"

    needles = _needles(key, rejected_key, answers)
    assert _leaks(db, needles) == [], "found in the database"
    assert _leaks(log, needles) == [], "found in the server log"
    for path, data in [*running.items(), *files.items()]:
        assert _leaks(data, needles) == [], f"found in {path.name}"
    assert _leaks(api_text, needles) == [], "found in the events API"
    assert _leaks(ops_text, needles) == [], "found in /metrics or /health"

    # the search looked at the right database: the org key's hash is there
    assert hashlib.sha256(key.encode()).hexdigest().encode() in db
    assert b"privacy" in db and b"prod-gpt4o" in db
