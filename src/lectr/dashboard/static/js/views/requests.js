// The request log: every recorded request of the period, newest first, filtered, in keyset pages.
"use strict";
(function (L) {
  const h = L.h;
  L.views = L.views || {};
  const FLAGS = [["", "Any"], ["true", "Yes"], ["false", "No"]];
  const older = [];  // the before_id of each page we came from, for "Newer"

  function select(name, label, options, current, render) {
    return h("label", { class: "filter" }, h("span", {}, label),
      h("select", { name, "data-filter": name, onchange: (e) => { older.length = 0; L.setParams({ [name]: e.target.value, before_id: null }); } },
        h("option", { value: "" }, "All"),
        options.map((o) => h("option", { value: String(o), selected: String(o) === current }, render ? render(o) : String(o)))));
  }

  function flag(name, label, current) {
    return h("label", { class: "filter" }, h("span", {}, label),
      h("select", { name, "data-filter": name, onchange: (e) => L.setParams({ [name]: e.target.value, before_id: null }) },
        FLAGS.map(([v, text]) => h("option", { value: v, selected: v === (current || "") }, text))));
  }

  function filters(d) {
    const f = d.filters, o = d.options;
    return h("form", { class: "filters wrap", onsubmit: (e) => e.preventDefault() },
      select("provider", "Provider", o.provider, f.provider, L.fmt.provider),
      select("model", "Model", o.model, f.model),
      select("feature", "Feature", o.feature, f.feature),
      select("task", "Task", o.task, f.task),
      select("status", "Status", o.status, f.status),
      flag("streaming", "Streaming", f.streaming),
      flag("provider_unknown", "Provider unknown", f.provider_unknown),
      h("button", { type: "button", class: "link", onclick: () => { older.length = 0; window.location.search = "?period=" + L.period(); } }, "Clear filters"));
  }

  const status = (e) => h("span", { class: "status " + (e.status_code >= 400 || e.error_category ? "bad" : "ok"), title: e.error_category || "" },
    String(e.status_code), e.error_category ? h("span", { class: "muted small block" }, e.error_category) : null);
  const columns = [
    { label: "Time", value: (e) => h("time", { datetime: e.timestamp }, L.fmt.time(e.timestamp)) },
    { label: "Feature", value: (e) => e.feature },
    { label: "Task", value: (e) => e.task_type || "—" },
    { label: "Provider", value: (e) => L.fmt.provider(e.provider) },
    { label: "Model requested", cls: "model", value: (e) => h("code", {}, e.model_requested || "—") },
    { label: "Model actual", cls: "model", value: (e) => h("code", { title: "sent upstream: " + (e.model_actual || "—") }, e.model_reported || e.model_actual || "—") },
    { label: "Status", value: status },
    { label: "Latency", num: true, value: (e) => L.fmt.ms(e.latency_ms) },
    { label: "TTFB", num: true, value: (e) => L.fmt.ms(e.ttfb_ms) },
    { label: "Tokens in → out", num: true, value: (e) => h("span", { title: "tokens from: " + e.token_source }, L.fmt.tokens(e.input_tokens, e.output_tokens)) },
    { label: "Cost", num: true, value: (e) => (e.cost_usd == null ? h("span", { class: "tag unpriced" }, "unpriced") : L.fmt.money(e.cost_usd)) },
    { label: "Stream", value: (e) => (e.streaming ? "yes" : "no") },
    { label: "Provider unknown", value: (e) => (e.provider_unknown ? h("span", { class: "tag warn" }, "yes") : "no") },
  ];

  function pager(d) {
    const current = L.params().get("before_id");
    return h("div", { class: "pager" },
      h("button", { type: "button", id: "newer", disabled: !current, onclick: () => L.setParams({ before_id: older.pop() || null }) }, "← Newer"),
      h("span", { class: "muted" }, d.data.length ? L.fmt.int(d.data.length) + " requests on this page" : ""),
      h("button", { type: "button", id: "older", disabled: !d.next_before_id, onclick: () => { older.push(current); L.setParams({ before_id: d.next_before_id }); } }, "Older →"));
  }

  L.views.requests = async function () {
    const p = L.params();
    const query = { period: L.period() };
    for (const name of ["provider", "model", "feature", "task", "status", "streaming", "provider_unknown", "before_id", "limit"]) query[name] = p.get(name);
    const d = await L.get("/api/v1/requests", query);
    const filtered = Object.values(d.filters).some((v) => v);
    if (!d.data.length && !filtered && !p.get("before_id")) return L.emptyState("requests");
    return h("div", {}, filters(d),
      d.data.length ? L.section(null, L.table(columns, d.data, { cls: "log" })) : h("p", { class: "empty-row" }, "No requests match these filters."),
      pager(d));
  };
})(window.Lectr);
