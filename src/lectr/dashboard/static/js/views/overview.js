// Overview: headline figures with change, charts of requests, cost and latency, provider health cards.
"use strict";
(function (L) {
  const h = L.h;
  L.views = L.views || {};

  L.healthCard = function (p) {
    return h("article", { class: "health-card " + p.status, "data-provider": p.provider },
      h("header", {}, h("h3", {}, L.fmt.provider(p.provider)), L.statusPill(p.status)),
      h("dl", {},
        h("div", {}, h("dt", {}, "Requests"), h("dd", {}, L.fmt.int(p.requests))),
        h("div", {}, h("dt", {}, "Error rate"), h("dd", {}, L.fmt.pct(p.error_rate))),
        h("div", {}, h("dt", {}, "p95 latency"), h("dd", {}, L.fmt.ms(p.p95_latency_ms))),
        h("div", {}, h("dt", {}, "Avg TTFB"), h("dd", {}, L.fmt.ms(p.avg_ttfb_ms)))));
  };

  function headline(d) {
    const x = d.headline;
    const prev = (format) => (v) => "previous " + format(v);
    return h("div", { class: "stats" },
      L.stat("Requests / min", L.fmt.rate(x.requests_per_min.value), x.requests_per_min, { id: "requests_per_min", previousText: prev(L.fmt.rate) }),
      L.stat("Error rate", L.fmt.pct(x.error_rate.value), x.error_rate, { id: "error_rate", upIsBad: true, previousText: prev(L.fmt.pct) }),
      L.stat("p95 latency", L.fmt.ms(x.p95_latency_ms.value), x.p95_latency_ms, { id: "p95_latency_ms", upIsBad: true, previousText: prev(L.fmt.ms) }),
      L.stat("Cost / hour", L.fmt.perHour(x.cost_per_hour.value), x.cost_per_hour, { id: "cost_per_hour", upIsBad: true, previousText: prev(L.fmt.perHour) }));
  }

  function totals(d) {
    const x = d.headline;
    const item = (label, value, compared, id, upIsBad) => h("div", { class: "total", "data-total": id },
      h("span", { class: "muted" }, label), h("strong", {}, value), L.changeBadge(compared.change, compared.previous, { upIsBad }));
    return h("div", { class: "totals" },
      item("Requests", L.fmt.int(x.requests.value), x.requests, "requests"),
      item("Errors", L.fmt.int(x.errors.value), x.errors, "errors", true),
      item("Spend", L.fmt.money(x.cost_usd.value), x.cost_usd, "cost", true),
      item("Tokens", L.fmt.int(x.tokens.value), x.tokens, "tokens"),
      x.unpriced_requests ? h("div", { class: "total" }, h("span", { class: "muted" }, "Unpriced"),
        h("strong", {}, L.fmt.int(x.unpriced_requests)), h("span", { class: "muted small" }, "requests without a known price")) : null);
  }

  function charts(d) {
    const s = d.series;
    return h("div", { class: "charts" },
      L.chart({ id: "requests", title: "Requests", t: s.t, format: L.fmt.int,
        series: [{ label: "Requests", values: s.requests }, { label: "Errors", values: s.errors, color: "#e11d48" }] }),
      L.chart({ id: "cost", title: "Cost", t: s.t, format: L.fmt.money, series: [{ label: "Cost", values: s.cost_usd, color: "#059669" }] }),
      L.chart({ id: "latency", title: "Latency", t: s.t, format: L.fmt.ms,
        series: [{ label: "Average", values: s.avg_latency_ms, color: "#0891b2" }, { label: "p95", values: s.p95_latency_ms, color: "#d97706" }] }));
  }

  L.views.overview = async function () {
    const d = await L.get("/api/v1/overview", { period: L.period() });
    L.showBanner(d.gateway);
    if (d.headline.requests.value === 0 && d.headline.requests.previous === 0) return L.emptyState("requests", d.base_url);
    return h("div", { class: "overview" },
      headline(d),
      totals(d),
      charts(d),
      L.section("Provider health", h("div", { class: "health-grid" }, d.providers.map(L.healthCard)),
        h("p", { class: "muted small" }, "From your own traffic. ", h("a", { href: "/providers?period=" + L.period() }, "Details →"))));
  };
})(window.Lectr);
