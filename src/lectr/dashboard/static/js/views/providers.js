// Provider health: status, error rate, latency and TTFB per provider, and the errors by category.
"use strict";
(function (L) {
  const h = L.h;
  L.views = L.views || {};

  function categories(p) {
    if (!p.errors_by_category.length) return h("span", { class: "muted" }, "none");
    return h("ul", { class: "categories" }, p.errors_by_category.map((c) => h("li", {}, h("code", {}, c.category), " × " + L.fmt.int(c.count))));
  }

  L.views.providers = async function () {
    const d = await L.get("/api/v1/providers", { period: L.period() });
    if (!d.providers.length) return L.emptyState("provider traffic");
    return h("div", {},
      h("div", { class: "health-grid" }, d.providers.map(L.healthCard)),
      L.section("Details", L.table([
        { label: "Provider", value: (p) => L.fmt.provider(p.provider) },
        { label: "Status", value: (p) => L.statusPill(p.status) },
        { label: "Requests", num: true, value: (p) => L.fmt.int(p.requests) },
        { label: "Error rate", num: true, value: (p) => L.fmt.pct(p.error_rate) },
        { label: "Provider failures", num: true, value: (p) => L.fmt.pct(p.failure_rate) },
        { label: "p50 latency", num: true, value: (p) => L.fmt.ms(p.p50_latency_ms) },
        { label: "p95 latency", num: true, value: (p) => L.fmt.ms(p.p95_latency_ms) },
        { label: "Avg TTFB", num: true, value: (p) => L.fmt.ms(p.avg_ttfb_ms) },
        { label: "Errors by category", value: categories },
      ], d.providers, { cls: "health" })),
      h("p", { class: "muted small legend" },
        "Status uses the last 15 minutes when a provider had at least 5 requests there, otherwise the whole period. ",
        "Down: at least half failed on the provider's side (5xx, timeouts, connection failures). ",
        "Degraded: at least 5% such failures, 10% rate-limited, or an average time to first byte of 5 s or more. ",
        "Client errors (400, 401, 404…) never change a provider's status."));
  };
})(window.Lectr);
