// Boot: the period selector, the navigation, the store/dropped-events banner, then the page's own view.
"use strict";
(function (L) {
  const PERIODS = [["1h", "1 hour"], ["24h", "24 hours"], ["7d", "7 days"], ["30d", "30 days"]];
  L.views = L.views || {};

  L.params = () => new URLSearchParams(window.location.search);
  const viewName = () => document.querySelector('meta[name="lectr-view"]').content;
  // A view may offer periods of its own (Recommendations: a 7- or 30-day window) with its own default.
  const choices = () => (L.views[viewName()] && L.views[viewName()].periods) || PERIODS;
  L.period = function () {
    const asked = L.params().get("period");
    if (choices().some(([value]) => value === asked)) return asked;
    return (L.views[viewName()] && L.views[viewName()].defaultPeriod) || "24h";
  };

  // Change query parameters (filters, period, page) and redraw the view; the URL stays shareable.
  L.setParams = function (changes) {
    const params = L.params();
    for (const [k, v] of Object.entries(changes)) {
      if (v == null || v === "") params.delete(k);
      else params.set(k, v);
    }
    const qs = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
    L.render();
  };

  function drawPeriod() {
    const holder = document.getElementById("period");
    holder.setAttribute("aria-label", (L.views[viewName()] && L.views[viewName()].periodLabel) || "Period");
    holder.replaceChildren(...choices().map(([value, label]) => L.h("button", {
      type: "button", class: value === L.period() ? "active" : "", "aria-pressed": value === L.period() ? "true" : "false",
      "data-period": value, onclick: () => L.setParams({ period: value, before_id: null }),
    }, label)));
    // links keep the period the URL asked for (not a view's own default), so every page keeps its choice
    const asked = L.params().get("period");
    const carried = asked !== "24h" && PERIODS.some(([value]) => value === asked) ? asked : null;
    for (const link of document.querySelectorAll(".sidebar a")) {
      const url = new URL(link.href, window.location.origin);
      url.search = carried ? "?period=" + carried : "";
      link.href = url.pathname + url.search;
    }
  }

  L.showBanner = function (gateway) {
    const banner = document.getElementById("banner");
    const messages = [];
    if (gateway && !gateway.store_reachable) {
      messages.push("The event store is unreachable: requests are still served, and their events wait (" +
        L.fmt.int((gateway.events_queued || 0) + (gateway.events_spooled || 0)) + " so far) until it is back, so recent numbers may be missing.");
    }
    if (gateway && gateway.events_dropped > 0) {
      const n = gateway.events_dropped;
      messages.push(L.fmt.int(n) + (n === 1 ? " event was" : " events were") + " dropped since the gateway started, because its queue was full: the figures below undercount them.");
    }
    banner.replaceChildren(...messages.map((m) => L.h("p", {}, m)));
    banner.classList.toggle("hidden", messages.length === 0);
  };

  let drawing = 0;
  L.render = async function () {
    const name = viewName();
    const view = document.getElementById("view");
    const ticket = ++drawing;
    drawPeriod();
    document.body.dataset.state = "loading";
    try {
      const content = await L.views[name]();
      if (ticket !== drawing) return;
      view.replaceChildren(content);
    } catch (err) {
      if (ticket !== drawing) return;
      if (err.body && err.body.error && err.body.error.code === "store_unavailable") L.showBanner({ store_reachable: false, events_queued: 0 });
      view.replaceChildren(L.errorState(err));
    }
    document.body.dataset.state = "ready";
    if (name !== "overview") L.get("/api/v1/status").then(L.showBanner).catch(() => {});
  };

  document.addEventListener("DOMContentLoaded", L.render);
})(window.Lectr);
