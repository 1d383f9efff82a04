"""The `lectr` command: one function per subcommand."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import Any, Awaitable, Callable

from lectr.config import Settings, describe
from lectr.providers.azure import DEFAULT_API_VERSION
from lectr.proxy.auth import hash_key, new_key
from lectr.store import Store, open_store


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(database_url=getattr(args, "database_url", None), data_dir=getattr(args, "data_dir", None))


def _with_store(args: argparse.Namespace, fn: Callable[[Store], Awaitable[Any]]) -> Any:
    async def _run() -> Any:
        store = open_store(_settings(args).resolved_database_url)
        await store.open()
        try:
            return await fn(store)
        finally:
            await store.close()

    return asyncio.run(_run())


def _out(args: argparse.Namespace, data: dict[str, Any], text: str) -> int:
    print(json.dumps(data) if args.json else text)
    return 0


def _fail(message: str) -> int:
    print(f"lectr: {message}", file=sys.stderr)
    return 1


async def _org_or_fail(store: Store, name: str) -> Any:
    org = await store.get_org(name)
    if org is None:
        raise SystemExit(_fail(f"no org named {name!r}"))
    return org


def cmd_orgs_create(args: argparse.Namespace) -> int:
    key = new_key()

    async def _do(store: Store) -> None:
        if await store.get_org(args.name) is not None:
            raise SystemExit(_fail(f"org {args.name!r} already exists"))
        await store.create_org(args.name, hash_key(key))

    _with_store(args, _do)
    return _out(args, {"org": args.name, "key": key}, f"Created org {args.name}. Its key (shown once):\n{key}")


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    key = new_key()

    async def _do(store: Store) -> None:
        await store.replace_keys((await _org_or_fail(store, args.name)).id, hash_key(key))

    _with_store(args, _do)
    return _out(args, {"org": args.name, "key": key}, f"New key for {args.name} (the old one no longer works):\n{key}")


def _set_disabled(disabled: bool) -> Callable[[argparse.Namespace], int]:
    def cmd(args: argparse.Namespace) -> int:
        async def _do(store: Store) -> None:
            await store.set_org_disabled((await _org_or_fail(store, args.name)).id, disabled)

        _with_store(args, _do)
        state = "disabled" if disabled else "enabled"
        return _out(args, {"org": args.name, "disabled": disabled}, f"Org {args.name} {state}.")

    return cmd


def cmd_azure_set(args: argparse.Namespace) -> int:
    async def _do(store: Store) -> None:
        await store.set_azure((await _org_or_fail(store, args.name)).id, args.endpoint.rstrip("/"), args.api_version)

    _with_store(args, _do)
    data = {"org": args.name, "endpoint": args.endpoint.rstrip("/"), "api_version": args.api_version}
    return _out(args, data, f"Azure for {args.name}: {data['endpoint']} (api-version {args.api_version}).")


def cmd_azure_map(args: argparse.Namespace) -> int:
    async def _do(store: Store) -> None:
        await store.map_azure_deployment((await _org_or_fail(store, args.name)).id, args.deployment, args.model)

    _with_store(args, _do)
    data = {"org": args.name, "deployment": args.deployment, "model": args.model}
    return _out(args, data, f"Azure deployment {args.deployment} of {args.name} is priced as {args.model}.")


def cmd_config(args: argparse.Namespace) -> int:
    rows = describe()
    if args.json:
        print(json.dumps([{"env": e, "default": d, "help": h} for e, d, h in rows]))
    else:
        for env, default, help_text in rows:
            print(f"{env:32} {default:58} {help_text}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from lectr.serve import serve

    return serve(_settings(args), args.host, args.port, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lectr", description="Self-hosted AI gateway and cost observability.")
    parser.add_argument("--database-url", help="overrides LECTR_DATABASE_URL")
    parser.add_argument("--data-dir", help="overrides LECTR_DATA_DIR")
    sub = parser.add_subparsers(dest="command", required=True)
    groups: dict[str, Any] = {}

    def group(word: str) -> Any:
        if word not in groups:
            groups[word] = sub.add_parser(word, help=f"{word} commands").add_subparsers(dest=f"{word}_command", required=True)
        return groups[word]

    def add(path: list[str], fn: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        parent = group(path[0]) if len(path) > 1 else sub
        p = parent.add_parser(path[-1], help=help_text)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=fn)
        return p

    p = add(["serve"], cmd_serve, "run the gateway")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    add(["orgs", "create"], cmd_orgs_create, "create an org and print its key").add_argument("name")
    add(["orgs", "disable"], _set_disabled(True), "reject all requests of an org").add_argument("name")
    add(["orgs", "enable"], _set_disabled(False), "accept requests of a disabled org again").add_argument("name")
    add(["keys", "rotate"], cmd_keys_rotate, "replace an org's key; the old one stops working").add_argument("name")
    p = add(["azure", "set"], cmd_azure_set, "set an org's Azure OpenAI endpoint")
    p.add_argument("name")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--api-version", default=DEFAULT_API_VERSION)
    p = add(["azure", "map"], cmd_azure_map, "price an Azure deployment as a base model")
    for name in ("name", "deployment", "model"):
        p.add_argument(name)
    add(["config"], cmd_config, "list the settings and their environment variables")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args))
