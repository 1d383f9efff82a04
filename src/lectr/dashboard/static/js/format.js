// Number formatting for the dashboard: $, ms, %, thousands separators. `null` is shown as an em dash.
"use strict";
window.Lectr = window.Lectr || {};
(function (L) {
  const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
  const dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const cents = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 3 });
  const DASH = "—";

  L.fmt = {
    DASH,
    int: (v) => (v == null ? DASH : whole.format(v)),
    num: (v) => (v == null ? DASH : oneDecimal.format(v)),
    rate(v) {
      if (v == null) return DASH;
      if (v === 0) return "0/min";
      if (v < 1) return Number(v.toPrecision(2)) + "/min";  // 0.0035/min, not a misleading 0
      return (v >= 100 ? whole.format(v) : oneDecimal.format(v)) + "/min";
    },
    // Money: tiny amounts keep three significant digits ($0.000123); null means unpriced, never $0.
    money(v) {
      if (v == null) return "unpriced";
      if (v !== 0 && Math.abs(v) < 0.01) return cents.format(v);
      return dollars.format(v);
    },
    perHour: (v) => (v == null ? "unpriced" : L.fmt.money(v) + "/h"),
    ms(v) {
      if (v == null) return DASH;
      if (v < 1000) return whole.format(v) + " ms";
      return (v / 1000).toFixed(v < 10000 ? 2 : 1) + " s";
    },
    pct(v) {
      if (v == null) return DASH;
      const p = v * 100;
      if (p === 0) return "0%";
      if (Math.abs(p) < 0.1) return "<0.1%";
      return (Math.abs(p) < 10 ? p.toFixed(1) : whole.format(p)) + "%";
    },
    // Period-over-period change: text, and whether it went up or down.
    change(v, previous) {
      if (v == null) return { text: previous === 0 ? "new" : "—", dir: "none" };
      if (Math.abs(v) < 0.005) return { text: "±0%", dir: "flat" };
      const sign = v > 0 ? "+" : "−";
      return { text: sign + L.fmt.pct(Math.abs(v)).replace("<", ""), dir: v > 0 ? "up" : "down" };
    },
    time(iso) {
      if (!iso) return DASH;
      const d = new Date(iso);
      const clock = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      if (d.toDateString() === new Date().toDateString()) return clock;
      return d.toLocaleDateString("en-GB", { month: "short", day: "numeric" }) + " " + clock;
    },
    tokens: (input, output) => (input == null && output == null ? DASH : whole.format(input || 0) + " → " + whole.format(output || 0)),
    provider(name) {
      return { openai: "OpenAI", anthropic: "Anthropic", groq: "Groq", gemini: "Gemini", azure: "Azure OpenAI" }[name] || name || DASH;
    },
  };
})(window.Lectr);
