"""`lectr reprice`: recompute stored costs from raw usage with the current price table and overrides.

Safe while the gateway serves: it reads pages by id and writes each page's changes in one short
transaction (the store also moves the rollups' cost by the same delta).
"""

from __future__ import annotations

from dataclasses import dataclass

from lectr.events.costing import cost_of
from lectr.pricing import Pricer
from lectr.store.base import Store

PAGE = 2000


@dataclass
class RepriceReport:
    examined: int = 0
    changed: int = 0
    old_total_usd: float = 0.0
    new_total_usd: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "examined": self.examined, "changed": self.changed,
            "old_total_usd": round(self.old_total_usd, 9), "new_total_usd": round(self.new_total_usd, 9),
        }


async def reprice(store: Store, pricer: Pricer, org_id: int | None, since_ms: int | None) -> RepriceReport:
    azure = {org.id: org.azure_deployments for org in await store.list_orgs()}
    report = RepriceReport()
    after_id = 0
    while page := await store.events_for_repricing(org_id, since_ms, after_id, PAGE):
        changes: list[tuple[int, float | None, str, str | None]] = []
        for rec in page:
            result = cost_of(pricer, rec, azure.get(rec.org_id))
            report.examined += 1
            report.old_total_usd += rec.cost_usd or 0.0
            report.new_total_usd += result.cost_usd or 0.0
            source = result.price_source or None
            if (result.cost_usd, result.cost_status, source) != (rec.cost_usd, rec.cost_status, rec.price_source):
                changes.append((rec.id, result.cost_usd, result.cost_status, source))
        if changes:
            await store.update_costs(changes)
            report.changed += len(changes)
        after_id = page[-1].id
    return report
