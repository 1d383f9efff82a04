// Building blocks: safe element creation (text only, never HTML from data), the API client, tables, cards.
"use strict";
(function (L) {
  L.h = function (tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  };
  const h = L.h;

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error && body.error.message) || "Request failed (" + status + ")");
      this.status = status;
      this.body = body;
    }
  }

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = document.querySelector('meta[name="csrf-token"]').content;
    }
    const response = await fetch(path, { method, headers, credentials: "same-origin", body: body ? JSON.stringify(body) : undefined });
    const data = await response.json().catch(() => null);
    if (response.status === 401) {
      window.location.assign("/signin?next=" + encodeURIComponent(window.location.pathname));
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  L.get = (path, params) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v != null && v !== "") query.set(k, v);
    const qs = query.toString();
    return call("GET", path + (qs ? "?" + qs : ""));
  };
  L.post = (path, body) => call("POST", path, body || {});

  L.changeBadge = function (change, previous, opts) {
    const c = L.fmt.change(change, previous);
    // For costs, latency and errors "up" is bad; for requests it is neutral.
    const tone = c.dir === "none" || c.dir === "flat" || !opts || !opts.upIsBad ? "neutral" : c.dir === "up" ? "bad" : "good";
    return h("span", { class: "change " + c.dir + " " + tone, title: "vs previous period" }, c.text);
  };

  L.stat = function (label, value, compared, opts) {
    return h("div", { class: "stat", "data-stat": opts && opts.id },
      h("div", { class: "stat-label" }, label),
      h("div", { class: "stat-value" }, value),
      compared ? h("div", { class: "stat-foot" }, L.changeBadge(compared.change, compared.previous, opts),
        h("span", { class: "muted" }, " vs " + (opts && opts.previousText ? opts.previousText(compared.previous) : "previous"))) : null);
  };

  // columns: [{label, value(row) → string|Node, num?: bool, cls?: string}]
  L.table = function (columns, rows, opts) {
    const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : "", scope: "col" }, c.label))));
    const body = h("tbody", {}, rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: (c.num ? "num " : "") + (c.cls || ""), "data-col": c.label }, c.value(row))))));
    return h("div", { class: "table-wrap" }, h("table", { class: "data " + ((opts && opts.cls) || "") }, head, body));
  };

  L.costCell = function (row) {
    if (row.cost_usd == null && row.requests > 0) return h("span", { class: "tag unpriced", title: "No price is known for this traffic" }, "unpriced");
    const cell = h("span", {}, L.fmt.money(row.cost_usd));
    if (row.unpriced_requests) cell.append(h("span", { class: "muted small" }, " + " + L.fmt.int(row.unpriced_requests) + " unpriced"));
    return cell;
  };

  L.shareBar = function (share) {
    if (share == null) return L.fmt.DASH;
    return h("span", { class: "share" }, h("span", { class: "bar" }, h("span", { class: "fill", style: "width:" + Math.max(1, Math.round(share * 100)) + "%" })), L.fmt.pct(share));
  };

  L.statusPill = (status) => h("span", { class: "pill " + status }, status);

  L.section = (title, ...children) => h("section", { class: "panel" }, title ? h("h2", {}, title) : null, ...children);

  // tags: the X-Lectr-* headers to show, as [name, value] pairs (by default a feature only)
  L.curlExample = function (baseUrl, tags) {
    return "curl " + baseUrl + "/v1/chat/completions \\\n" +
      '  -H "X-Lectr-Key: $LECTR_KEY" \\\n' +
      '  -H "Authorization: Bearer $OPENAI_API_KEY" \\\n' +
      (tags || [["X-Lectr-Feature", "my-feature"]]).map(([name, value]) => '  -H "' + name + ": " + value + '" \\\n').join("") +
      '  -H "Content-Type: application/json" \\\n' +
      "  -d '{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'";
  };

  L.emptyState = function (what, baseUrl) {
    return h("div", { class: "empty" },
      h("h2", {}, "No " + what + " in this period yet"),
      h("p", {}, "Send a request through Lectr and it shows up here within seconds. Point your SDK's base URL at ",
        h("code", {}, (baseUrl || window.location.origin) + "/v1"), " and add your org key in the X-Lectr-Key header:"),
      h("pre", { class: "code" }, L.curlExample(baseUrl || window.location.origin)),
      h("p", { class: "muted" }, "Your provider key is forwarded, never stored. Pick a longer period above if you sent traffic earlier."));
  };

  L.errorState = (err) => h("div", { class: "empty error-state" }, h("h2", {}, "Could not load this view"), h("p", {}, err.message));
})(window.Lectr);
