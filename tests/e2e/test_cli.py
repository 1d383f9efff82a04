"""The `lectr` command as an operator uses it: first start, orgs, keys, Azure, --json."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import time
from typing import Callable, TypeVar

import httpx
import openai
import pytest

from tests.fakes.server import FakeProviders
from tests.support.clients import PROVIDER_KEYS, openai_via
from tests.support.gateway import Gateway

KEY_RE = re.compile(r"lc_key_[A-Za-z0-9_\-]+")
MESSAGES = [{"role": "user", "content": "Say hello to the gateway"}]
_names = itertools.count(1)
T = TypeVar("T")


def _name(prefix: str = "cli") -> str:
    return f"{prefix}-{next(_names)}-{time.time_ns() % 10**8}"


def _json(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _eventually(probe: Callable[[], T | None], timeout: float = 5.0) -> T:
    """The first truthy result of `probe`, polling until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            assert value, "condition not reached in time"
            return value
        time.sleep(0.05)


def _auth_code(gateway: Gateway, key: str) -> str | None:
    """What a user of the OpenAI SDK sees with this org key: None if the request works, else the error code."""
    try:
        openai_via(gateway.url, key).chat.completions.create(model="gpt-4o", messages=MESSAGES)
    except openai.AuthenticationError as exc:
        assert exc.status_code == 401
        return exc.code
    return None


def _db_bytes(gateway: Gateway) -> bytes:
    return gateway.stored_bytes()


# ---- first start ------------------------------------------------------------------------------------


def test_first_start_creates_default_org_and_prints_its_key_once(fresh_gateway: Gateway) -> None:
    if fresh_gateway.on_sqlite:
        assert not fresh_gateway.db_path.exists()
    fresh_gateway.start()
    log = fresh_gateway.log_path.read_text()

    keys = set(KEY_RE.findall(log))
    assert len(keys) == 1, log
    [key] = keys
    assert "default" in log
    # a copy-paste curl example that carries the key and points at this gateway
    assert "curl" in log
    assert f"{fresh_gateway.url}/v1/chat/completions" in log.replace("localhost", "127.0.0.1")
    assert f"X-Lectr-Key: {key}" in log

    fresh_gateway.wait_key_accepted(key)
    reply = openai_via(fresh_gateway.url, key).chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert reply.choices[0].message.content
    [event] = fresh_gateway.wait_events(key, 1)
    assert event["status_code"] == 200

    # the stored form is a hash, never the key itself
    fresh_gateway.stop()
    stored = _db_bytes(fresh_gateway)
    assert key.encode() not in stored
    assert hashlib.sha256(key.encode()).hexdigest().encode() in stored

    # a second start prints no key, and the first key still works
    before = fresh_gateway.log_path.stat().st_size
    fresh_gateway.start()
    second = fresh_gateway.log_path.read_bytes()[before:].decode()
    assert "lc_key_" not in second, second
    fresh_gateway.wait_key_accepted(key)


def test_serve_on_a_database_with_orgs_prints_no_key(fresh_gateway: Gateway) -> None:
    created = _json(fresh_gateway.cli("orgs", "create", "acme", "--json"))
    fresh_gateway.start()
    assert "lc_key_" not in fresh_gateway.log_path.read_text()
    fresh_gateway.wait_key_accepted(created["key"])
    assert _auth_code(fresh_gateway, created["key"]) is None


# ---- orgs create ------------------------------------------------------------------------------------


def test_orgs_create_json_prints_exactly_org_and_key(gateway: Gateway) -> None:
    name = _name("create")
    result = gateway.cli("orgs", "create", name, "--json")
    assert result.returncode == 0
    assert len(result.stdout.strip().splitlines()) == 1
    data = json.loads(result.stdout)
    assert set(data) == {"org", "key"}
    assert data["org"] == name
    assert KEY_RE.fullmatch(data["key"]) and len(data["key"]) >= len("lc_key_") + 32
    gateway.wait_key_accepted(data["key"])

    # each org gets its own key
    other = _json(gateway.cli("orgs", "create", _name("create"), "--json"))
    assert other["key"] != data["key"]


def test_orgs_create_plain_output_shows_the_key(gateway: Gateway) -> None:
    name = _name("plain")
    result = gateway.cli("orgs", "create", name)
    [key] = KEY_RE.findall(result.stdout)
    assert name in result.stdout
    gateway.wait_key_accepted(key)


def test_duplicate_org_fails_clearly_and_prints_no_key(gateway: Gateway) -> None:
    name = _name("dup")
    first = _json(gateway.cli("orgs", "create", name, "--json"))
    for args in (["orgs", "create", name, "--json"], ["orgs", "create", name]):
        result = gateway.cli(*args, check=False)
        assert result.returncode != 0
        assert name in result.stderr and "exist" in result.stderr.lower()
        assert "Traceback" not in result.stderr
        assert "lc_key_" not in result.stdout + result.stderr
    gateway.wait_key_accepted(first["key"])  # the original org is untouched


def test_org_key_is_stored_only_as_a_hash(gateway: Gateway) -> None:
    key = gateway.create_org(_name("hash"))
    stored = _db_bytes(gateway)
    assert key.encode() not in stored
    assert key[len("lc_key_"):].encode() not in stored
    assert hashlib.sha256(key.encode()).hexdigest().encode() in stored  # proves this is the right database


# ---- keys rotate, orgs disable / enable -----------------------------------------------------------


def test_keys_rotate_replaces_the_key(gateway: Gateway, fakes: FakeProviders) -> None:
    name = _name("rotate")
    old = gateway.create_org(name)
    rotated = _json(gateway.cli("keys", "rotate", name, "--json"))
    assert rotated["org"] == name
    new = rotated["key"]
    assert KEY_RE.fullmatch(new) and new != old

    gateway.wait_key_accepted(new, timeout=1.5)
    gateway.wait_key_accepted(old, accepted=False, timeout=1.5)
    seen = len(fakes.received)
    assert _auth_code(gateway, old) == "invalid_lectr_key"
    assert len(fakes.received) == seen  # the provider never saw the rejected request
    assert _auth_code(gateway, new) is None

    stored = _db_bytes(gateway)
    assert new.encode() not in stored
    assert hashlib.sha256(new.encode()).hexdigest().encode() in stored


def test_keys_create_adds_a_key_and_keeps_the_old_one(gateway: Gateway) -> None:
    name = _name("twokeys")
    first = gateway.create_org(name)
    created = _json(gateway.cli("keys", "create", name, "--json"))
    assert created["org"] == name and KEY_RE.fullmatch(created["key"]) and created["key"] != first
    gateway.wait_key_accepted(created["key"], timeout=1.5)
    assert _auth_code(gateway, first) is None and _auth_code(gateway, created["key"]) is None
    assert created["key"].encode() not in _db_bytes(gateway)


def test_orgs_disable_and_enable(gateway: Gateway, fakes: FakeProviders) -> None:
    name = _name("disable")
    key = gateway.create_org(name)

    disabled = _json(gateway.cli("orgs", "disable", name, "--json"))
    assert disabled["org"] == name
    gateway.wait_key_accepted(key, accepted=False)
    seen = len(fakes.received)
    assert _auth_code(gateway, key) == "org_disabled"
    assert len(fakes.received) == seen
    events_api = gateway.api("/api/v1/events", key)
    assert events_api.status_code == 401

    enabled = _json(gateway.cli("orgs", "enable", name, "--json"))
    assert enabled["org"] == name
    gateway.wait_key_accepted(key)
    assert _auth_code(gateway, key) is None


# ---- azure --------------------------------------------------------------------------------------


def _azure_call(gateway: Gateway, key: str, deployment: str):
    client = openai_via(gateway.url, key, provider="azure", **{"X-Lectr-Provider": "azure"})
    return client.chat.completions.create(model=deployment, messages=MESSAGES)


def _azure_reply_once_configured(gateway: Gateway, key: str, deployment: str):
    def probe():
        try:
            return _azure_call(gateway, key, deployment)
        except openai.BadRequestError as exc:
            assert exc.code == "azure_config_missing"
            return None

    return _eventually(probe)


def test_azure_set_with_api_version(gateway: Gateway, fakes: FakeProviders) -> None:
    name = _name("azure")
    key = gateway.create_org(name)
    with pytest.raises(openai.BadRequestError) as missing:
        _azure_call(gateway, key, "prod-gpt4o")
    assert missing.value.code == "azure_config_missing"

    endpoint = fakes.base_urls["azure"]
    data = _json(gateway.cli("azure", "set", name, "--endpoint", endpoint + "/", "--api-version", "2024-10-21",
                             "--json"))
    assert data == {"org": name, "endpoint": endpoint, "api_version": "2024-10-21"}

    reply = _azure_reply_once_configured(gateway, key, "prod-gpt4o")
    assert reply.choices[0].message.content
    seen = fakes.last("azure")
    assert seen.path == "/openai/deployments/prod-gpt4o/chat/completions"
    assert seen.query["api-version"] == "2024-10-21"
    assert seen.headers["api-key"] == PROVIDER_KEYS["azure"]


def test_azure_set_defaults_the_api_version(gateway: Gateway, fakes: FakeProviders) -> None:
    name = _name("azure-default")
    key = gateway.create_org(name)
    data = _json(gateway.cli("azure", "set", name, "--endpoint", fakes.base_urls["azure"], "--json"))
    assert data["api_version"] == "2024-02-01"
    _azure_reply_once_configured(gateway, key, "my-deployment")
    assert fakes.last("azure").query["api-version"] == "2024-02-01"


# ---- --json everywhere, unknown org ---------------------------------------------------------------


def test_every_command_has_parseable_json(gateway: Gateway, fakes: FakeProviders) -> None:
    name = _name("json")
    outputs = [
        gateway.cli("orgs", "create", name, "--json"),
        gateway.cli("keys", "rotate", name, "--json"),
        gateway.cli("orgs", "disable", name, "--json"),
        gateway.cli("orgs", "enable", name, "--json"),
        gateway.cli("azure", "set", name, "--endpoint", fakes.base_urls["azure"], "--json"),
        gateway.cli("azure", "map", name, "prod-gpt4o", "gpt-4o", "--json"),
    ]
    for result in outputs:
        data = _json(result)
        assert isinstance(data, dict) and data["org"] == name
    config = json.loads(gateway.cli("config", "--json").stdout)
    assert config and all("env" in row for row in config)


@pytest.mark.parametrize(
    "args",
    [
        ["keys", "rotate"],
        ["orgs", "disable"],
        ["orgs", "enable"],
        ["azure", "set", "{org}", "--endpoint", "https://example.openai.azure.com"],
        ["azure", "map", "{org}", "prod-gpt4o", "gpt-4o"],
    ],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_unknown_org_fails_clearly(gateway: Gateway, args: list[str], as_json: bool) -> None:
    org = _name("nobody")
    argv = [a.format(org=org) for a in args]
    if "{org}" not in args:
        argv.append(org)
    if as_json:
        argv.append("--json")
    result = gateway.cli(*argv, check=False)
    assert result.returncode != 0
    assert org in result.stderr
    assert "Traceback" not in result.stderr
    assert "lc_key_" not in result.stdout


def test_unknown_org_key_is_rejected_by_the_events_api(gateway: Gateway) -> None:
    response = httpx.get(gateway.url + "/api/v1/events", headers={"X-Lectr-Key": "lc_key_doesnotexist"}, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_lectr_key"
