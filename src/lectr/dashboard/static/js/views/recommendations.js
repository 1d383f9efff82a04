// Recommendations: cheaper models of the same provider where the org's own traffic shows it is safe,
// with the saving priced from its real token volumes; and the groups judged but not recommended, with why.
"use strict";
(function (L) {
  const h = L.h;
  L.views = L.views || {};
  const WINDOWS = { "7d": 7, "30d": 30 };
  const TASKS = ["classification", "summarisation", "extraction", "generation", "reasoning"];
  const whole = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });

  // The engine marks model, feature and task names with `backticks`: show them as code, never as HTML.
  function ticks(text) {
    return String(text || "").split("`").map((part, i) => (i % 2 ? h("code", {}, part) : part));
  }

  // "about $133": whole dollars once the amount is large enough for cents to be noise.
  const about = (v) => (v != null && Math.abs(v) >= 100 ? whole.format(v) : L.fmt.money(v));
  const days = (n) => L.fmt.num(n) + (n === 1 ? " day" : " days");

  function sentence(r) {
    return h("p", { class: "rec-sentence" },
      "feature ", h("code", {}, r.feature),
      r.task_type ? [" (task ", h("code", {}, r.task_type), ")"] : null,
      " sent " + L.fmt.int(r.requests) + " requests to ", h("code", {}, r.model),
      " in the last " + days(r.window_days) + " for ", h("strong", {}, L.fmt.money(r.current_cost_usd)), "; ",
      h("code", {}, r.recommended_model), " would have cost ", h("strong", {}, L.fmt.money(r.alternative_cost_usd)),
      " — save about ", h("strong", { class: "saving" }, about(r.saving_per_month_usd) + "/month"),
      "; confidence: " + r.confidence);
  }

  function confidence(level) {
    return h("span", { class: "pill confidence " + level, title: level === "high"
      ? "The task type says a smaller model does this well" : "From token sizes, error rate and spread only" },
    level.charAt(0).toUpperCase() + level.slice(1) + " confidence");
  }

  function costs(r) {
    const cut = r.current_cost_usd > 0 ? r.saving_usd / r.current_cost_usd : null;
    const width = r.current_cost_usd > 0 ? Math.max(1, Math.round(100 * r.alternative_cost_usd / r.current_cost_usd)) : 0;
    const row = (cls, label, model, value, bar) => h("div", { class: "cost-row " + cls },
      h("span", { class: "cost-label" }, label), h("code", {}, model),
      h("span", { class: "bar wide" }, h("span", { class: "fill", style: "width:" + bar + "%" })),
      h("strong", {}, L.fmt.money(value)));
    return h("div", { class: "rec-costs", "aria-label": "Current and alternative cost" },
      row("current", "Now", r.model, r.current_cost_usd, 100),
      row("alternative", "Instead", r.recommended_model, r.alternative_cost_usd, width),
      h("div", { class: "cost-foot muted small" },
        cut == null ? null : h("span", { class: "change good" }, "−" + L.fmt.pct(cut)),
        " " + L.fmt.money(r.saving_usd) + " less over the last " + days(r.window_days) + ", at " +
        r.recommended_model + "'s prices for the same tokens"));
  }

  function todo(r) {
    const extra = r.aggressive_model && !(r.action || "").includes(r.aggressive_model)
      ? h("p", {}, "More aggressively: ", h("code", {}, r.aggressive_model), ".") : null;
    return h("div", { class: "rec-todo" }, h("h3", {}, "What to do"),
      h("p", { class: "rec-action" }, ticks(r.action || "Switch `" + r.model + "` to `" + r.recommended_model + "`.")), extra,
      r.aggressive_model ? h("p", { class: "muted small" }, "The aggressive choice, ", h("code", {}, r.aggressive_model),
        ", saves more; try it on a sample of this traffic first.") : null);
  }

  function card(r) {
    return h("article", { class: "rec-card " + r.confidence, "data-feature": r.feature, "data-task": r.task_type || "",
      "data-model": r.model },
      h("header", { class: "rec-head" },
        h("div", { class: "rec-title" },
          h("h2", {}, h("span", { class: "muted" }, "feature "), h("code", {}, r.feature),
            r.task_type ? [h("span", { class: "muted" }, " · task "), h("code", {}, r.task_type)]
              : h("span", { class: "muted" }, " · no task type")),
          h("span", { class: "muted small" }, L.fmt.provider(r.provider) + " · " + L.fmt.int(r.requests) + " requests")),
        confidence(r.confidence),
        h("div", { class: "rec-saving", "data-saving": r.saving_per_month_usd },
          h("strong", {}, about(r.saving_per_month_usd)), h("span", { class: "muted small" }, "saved / month"))),
      sentence(r),
      h("div", { class: "rec-body" },
        costs(r),
        h("div", { class: "rec-why" }, h("h3", {}, "Why"), h("ul", {}, (r.reasons || []).map((x) => h("li", {}, ticks(x))))),
        todo(r)));
  }

  function stat(label, value, foot, id) {
    return h("div", { class: "stat", "data-stat": id }, h("div", { class: "stat-label" }, label),
      h("div", { class: "stat-value" }, value), foot ? h("div", { class: "stat-foot muted" }, foot) : null);
  }

  function summary(d) {
    const sum = (key) => d.data.reduce((total, r) => total + (r[key] || 0), 0);
    const high = d.data.filter((r) => r.confidence === "high").length;
    return h("div", { class: "stats" },
      stat("Possible saving / month", about(sum("saving_per_month_usd")), "projected from " + days(d.window_days), "saving"),
      stat("Recommendations", L.fmt.int(d.data.length), L.fmt.int(high) + " with high confidence", "recommendations"),
      stat("Spend on these groups", L.fmt.money(sum("current_cost_usd")), "in the last " + days(d.window_days), "covered"),
      stat("Not recommended", L.fmt.int(d.skipped.length), d.skipped.length === 1 ? "group, see why below" : "groups, see why below", "skipped"));
  }

  function rules(d) {
    return h("p", { class: "muted small rules" },
      "From your traffic in the last " + days(d.window_days) + ", per feature, task type and model. Lectr only suggests a cheaper model " +
      "of the same provider, never one for ", h("code", {}, "reasoning"), ", and judges a group only once it has at least " +
      L.fmt.int(d.min_requests) + " requests in the window. Savings price the group's own token volumes at the cheaper model's " +
      "prices, projected to a 30-day month.");
  }

  function skippedTable(d) {
    return L.section("Not recommended",
      h("p", { class: "muted small" }, "Groups Lectr looked at and left alone, with the reason. A group needs at least " +
        L.fmt.int(d.min_requests) + " requests in the window; ", h("code", {}, "reasoning"), " traffic is never downgraded, " +
        "whatever its other signals say."),
      L.table([
        { label: "Feature", value: (s) => h("code", {}, s.feature) },
        { label: "Task", value: (s) => (s.task_type ? h("code", {}, s.task_type) : h("span", { class: "muted" }, "untagged")) },
        { label: "Provider", value: (s) => L.fmt.provider(s.provider) },
        { label: "Model", value: (s) => h("code", {}, s.model || L.fmt.DASH) },
        { label: "Requests", num: true, value: (s) => L.fmt.int(s.requests) },
        { label: "Why not", cls: "reason", value: (s) => h("span", {}, ticks(s.reason)) },
      ], d.skipped, { cls: "skipped" }));
  }

  function howTo(d, title) {
    const origin = window.location.origin;
    return h("div", { class: "empty rec-empty" },
      h("h2", {}, title),
      h("p", {}, "Lectr recommends a cheaper model of the same provider when your own traffic shows it is safe, with what " +
        "it would save. To get recommendations:"),
      h("ol", {},
        h("li", {}, "Send your traffic through Lectr: at least ", h("strong", {}, L.fmt.int(d.min_requests) + " requests"),
          " per feature, task type and model in the window."),
        h("li", {}, "Tag each call with its task type in the ", h("code", {}, "X-Lectr-Task"), " header: ",
          TASKS.flatMap((t, i) => [i ? ", " : "", h("code", {}, t)]), ". It is the strongest signal: ",
          h("code", {}, "classification"), " gets high-confidence recommendations and ", h("code", {}, "reasoning"),
          " is never downgraded. Untagged traffic gets medium confidence at most, from token sizes and error rates."),
        h("li", {}, "Name the part of your product with ", h("code", {}, "X-Lectr-Feature"),
          ", so each recommendation says where to switch.")),
      h("pre", { class: "code" }, L.curlExample(origin, [["X-Lectr-Feature", "ticket-router"], ["X-Lectr-Task", "classification"]])),
      d.window_days < 30 ? h("p", { class: "muted" }, "Sent traffic earlier? Pick the 30-day window above.") : null);
  }

  L.views.recommendations = async function () {
    const d = await L.get("/api/v1/recommendations", { days: WINDOWS[L.period()] });
    if (!d.data.length && !d.skipped.length) return howTo(d, "No recommendations yet");
    return h("div", { class: "recommendations" },
      summary(d),
      rules(d),
      d.data.length
        ? h("div", { class: "rec-list" }, d.data.map(card))
        : howTo(d, "No cheaper model to recommend for the last " + days(d.window_days)),
      d.skipped.length ? skippedTable(d) : null);
  };
  L.views.recommendations.periods = [["7d", "7 days"], ["30d", "30 days"]];
  L.views.recommendations.defaultPeriod = "30d";
  L.views.recommendations.periodLabel = "Window";
})(window.Lectr);
