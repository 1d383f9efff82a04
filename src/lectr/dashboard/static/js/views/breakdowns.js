// Models, Cost, Features and Task types: breakdown tables over the same rollups.
"use strict";
(function (L) {
  const h = L.h;
  L.views = L.views || {};
  const provider = { label: "Provider", value: (r) => L.fmt.provider(r.provider) };
  const model = { label: "Model", value: (r) => h("code", {}, r.model || "—") };
  const requests = { label: "Requests", num: true, value: (r) => L.fmt.int(r.requests) };
  const cost = { label: "Cost", num: true, value: L.costCell };
  const costChange = { label: "vs previous", num: true, value: (r) => L.changeBadge(r.cost_change, r.previous_cost_usd, { upIsBad: true }) };
  const avgLatency = { label: "Avg latency", num: true, value: (r) => L.fmt.ms(r.avg_latency_ms) };
  const p95 = { label: "p95 latency", num: true, value: (r) => L.fmt.ms(r.p95_latency_ms) };
  const share = { label: "Share of spend", value: (r) => L.shareBar(r.cost_usd == null ? null : r.share_of_spend) };

  function providerFilter(d) {
    const select = h("select", { id: "provider-filter", name: "provider", onchange: (e) => L.setParams({ provider: e.target.value }) },
      h("option", { value: "" }, "All providers"),
      d.providers.map((p) => h("option", { value: p, selected: p === d.provider }, L.fmt.provider(p))));
    return h("div", { class: "filters" }, h("label", { for: "provider-filter" }, "Provider"), select);
  }

  L.views.models = async function () {
    const d = await L.get("/api/v1/models", { period: L.period(), provider: L.params().get("provider") });
    if (!d.models.length && !d.provider) return L.emptyState("model traffic");
    return h("div", {}, providerFilter(d), L.section(null, L.table(
      [model, provider, requests, cost, avgLatency, p95,
        { label: "Error rate", num: true, value: (r) => L.fmt.pct(r.error_rate) },
        { label: "Tokens", num: true, value: (r) => L.fmt.int(r.tokens) }],
      d.models, { cls: "models" })));
  };

  L.views.cost = async function () {
    const d = await L.get("/api/v1/cost", { period: L.period() });
    if (!d.total.requests && !d.total.previous) return L.emptyState("spend");
    const unpriced = d.total.unpriced_requests;
    return h("div", {},
      h("div", { class: "stats" },
        L.stat("Spend", L.fmt.money(d.total.value), d.total, { id: "spend", upIsBad: true, previousText: (v) => "previous " + L.fmt.money(v) }),
        L.stat("Unpriced requests", L.fmt.int(unpriced), null, { id: "unpriced" })),
      unpriced ? h("p", { class: "note" }, L.fmt.int(unpriced) + " requests have no price — models without a known price, or failed " +
        "requests that reported no usage — and are counted as unpriced, never as $0.") : null,
      L.section("By provider", L.table([provider, cost, costChange,
        { label: "Previous", num: true, value: (r) => (r.previous_requests ? L.fmt.money(r.previous_cost_usd) : "—") },
        requests, share], d.providers, { cls: "cost-providers" })),
      L.section("By model", L.table([model, provider, cost, costChange, requests, share], d.models, { cls: "cost-models" })));
  };

  function tagged(dimension, title, header) {
    return async function () {
      const d = await L.get(dimension === "feature" ? "/api/v1/features" : "/api/v1/tasks", { period: L.period() });
      if (!d.rows.length) return L.emptyState("requests");
      const name = { label: title, value: (r) => h("span", { class: r[dimension] === "untagged" ? "tag untagged" : "" }, r[dimension]) };
      const nudge = d.nudge ? h("div", { class: "nudge", role: "note" }, h("strong", {}, "Tip: "), d.nudge.message + " ",
        h("code", {}, header + (dimension === "feature" ? ": checkout-summary" : ": classification"))) : null;
      const about = dimension === "task_type" ? h("p", { class: "muted small" }, "classification, summarisation, extraction, " +
        "generation and reasoning drive model recommendations; other values are shown as sent.") : null;
      return h("div", {}, nudge, about, L.section(null, L.table([name, cost, share, requests,
        { label: "Errors", num: true, value: (r) => L.fmt.int(r.errors) + " (" + L.fmt.pct(r.error_rate) + ")" },
        avgLatency, p95,
        { label: "Tokens in → out", num: true, value: (r) => L.fmt.tokens(r.input_tokens, r.output_tokens) },
        costChange], d.rows, { cls: "tagged" })));
    };
  }
  L.views.features = tagged("feature", "Feature", "X-Lectr-Feature");
  L.views.tasks = tagged("task_type", "Task type", "X-Lectr-Task");
})(window.Lectr);
