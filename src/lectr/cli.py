"""The `lectr` command: one function per subcommand."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import Any, Awaitable, Callable

from lectr.config import Settings, describe
from lectr.errors import LectrError
from lectr.providers.azure import DEFAULT_API_VERSION
from lectr.proxy.auth import hash_key, new_key
from lectr.store import Store, open_store
from lectr.store.migrate import migrations


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


def cmd_keys_create(args: argparse.Namespace) -> int:
    key = new_key()

    async def _do(store: Store) -> None:
        await store.add_key((await _org_or_fail(store, args.name)).id, hash_key(key))

    _with_store(args, _do)
    return _out(args, {"org": args.name, "key": key}, f"New key for {args.name} (its other keys keep working):\n{key}")


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

    return serve(_settings(args), args.host, args.port, as_json=args.json, workers=args.workers)


def cmd_migrate(args: argparse.Namespace) -> int:
    url = _settings(args).resolved_database_url
    _with_store(args, lambda store: store.migrate())  # opening a store applies pending migrations (advisory-locked)
    latest = migrations("postgres" if url.startswith("postgres") else "sqlite")[-1][0]
    return _out(args, {"schema_version": latest}, f"Database schema is up to date ({latest}).")


def cmd_prune(args: argparse.Namespace) -> int:
    from lectr.ops.retention import Retention

    settings = _settings(args)
    days = {
        "event_days": args.events_days if args.events_days is not None else settings.retention_days,
        "hour_days": args.rollup_days if args.rollup_days is not None else settings.rollup_retention_days,
        "minute_days": settings.minute_rollup_retention_days,
    }
    pruned = _with_store(args, lambda store: Retention(store, batch=args.batch, **days).prune_once())
    data = {"events": pruned.events, "minute_rollups": pruned.minute_rollups, "hour_rollups": pruned.hour_rollups}
    text = f"Pruned {pruned.events} events, {pruned.minute_rollups} minute and {pruned.hour_rollups} hour rollup rows."
    return _out(args, data, text)


def cmd_reprice(args: argparse.Namespace) -> int:
    from lectr.api.events import since_ms
    from lectr.events.costing import make_pricer
    from lectr.reprice import reprice

    settings = _settings(args)
    pricer = make_pricer(settings.price_overrides)
    since = since_ms(args.since) if args.since else None

    async def _do(store: Store) -> Any:
        org_id = (await _org_or_fail(store, args.org)).id if args.org else None
        return await reprice(store, pricer, org_id, since)

    report = _with_store(args, _do)
    data = report.as_dict()
    text = (
        f"Re-priced {data['examined']} events: {data['changed']} changed; "
        f"total ${data['old_total_usd']:.6f} -> ${data['new_total_usd']:.6f}."
    )
    return _out(args, data, text)


def cmd_recommend(args: argparse.Namespace) -> int:
    import time

    from lectr.api.recommendations import days_param
    from lectr.events.costing import make_pricer
    from lectr.insights.recommendations import recommend, sentence

    pricer = make_pricer(_settings(args).price_overrides)
    days = days_param(args.days)

    async def _do(store: Store) -> Any:
        org = await _org_or_fail(store, args.org)
        return await recommend(store, pricer, org.id, int(time.time() * 1000), days, org.azure_deployments)

    report = _with_store(args, _do)
    if args.json:
        print(json.dumps(report.as_dict()))
        return 0
    for rec in report.recommendations:
        print(sentence(rec))
        print("    why: " + "; ".join(rec.reasons))
    if not report.recommendations:
        print(f"No recommendations for the last {days:g} days.")
    for s in report.skipped:
        print(f"(no recommendation for `{s.feature}` / `{s.task_type or 'untagged'}` on `{s.model}`: {s.reason})")
    return 0


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
    p.add_argument("--workers", type=int, help="processes sharing the port (default: LECTR_WORKERS, 1)")
    add(["orgs", "create"], cmd_orgs_create, "create an org and print its key").add_argument("name")
    add(["orgs", "disable"], _set_disabled(True), "reject all requests of an org").add_argument("name")
    add(["orgs", "enable"], _set_disabled(False), "accept requests of a disabled org again").add_argument("name")
    add(["keys", "create"], cmd_keys_create, "add a key to an org; its other keys keep working").add_argument("name")
    add(["keys", "rotate"], cmd_keys_rotate, "replace an org's key; the old one stops working").add_argument("name")
    p = add(["azure", "set"], cmd_azure_set, "set an org's Azure OpenAI endpoint")
    p.add_argument("name")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--api-version", default=DEFAULT_API_VERSION)
    p = add(["azure", "map"], cmd_azure_map, "price an Azure deployment as a base model")
    for name in ("name", "deployment", "model"):
        p.add_argument(name)
    add(["config"], cmd_config, "list the settings and their environment variables")
    add(["migrate"], cmd_migrate, "apply pending database migrations (serve does this too)")
    p = add(["prune"], cmd_prune, "delete events and rollups past their retention, in small batches")
    p.add_argument("--events-days", type=int, help="keep raw events this many days (default: LECTR_RETENTION_DAYS)")
    p.add_argument("--rollup-days", type=int, help="keep hourly rollups this many days (LECTR_ROLLUP_RETENTION_DAYS)")
    p.add_argument("--batch", type=int, default=5000, help="rows per delete transaction")
    p = add(["reprice"], cmd_reprice, "recompute stored costs with the current prices and overrides")
    p.add_argument("--since", help="only events from this time on (ISO 8601 date or time, or epoch seconds)")
    p.add_argument("--org", help="only this org's events")
    p = add(["recommend"], cmd_recommend, "cheaper models where the org's own traffic shows it is safe")
    p.add_argument("--org", default="default", help="the org (default: default)")
    p.add_argument("--days", help="window in days (default 30)")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LectrError as err:  # e.g. a malformed --since
        return _fail(err.message)
