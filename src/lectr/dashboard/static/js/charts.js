// Time-series charts with the vendored uPlot: one chart per metric, resized with its container.
"use strict";
(function (L) {
  const COLORS = ["#4f46e5", "#e11d48", "#0891b2", "#d97706", "#059669"];

  function axisValues(format) {
    return (u, splits) => splits.map((v) => (v == null ? "" : format(v)));
  }

  function markedPoints(values) {
    const marked = [];
    values.forEach((v, i) => { if (v != null && v !== 0) marked.push(i); });
    return marked.length <= 24 ? marked : [];
  }

  // spec: {title, t: [epoch s], series: [{label, values, color?}], format: v → string}
  L.chart = function (spec) {
    const holder = L.h("div", { class: "chart", "data-chart": spec.id || spec.title });
    const box = L.h("div", { class: "chart-box" });
    holder.append(L.h("h3", {}, spec.title), box);
    if (typeof window.uPlot !== "function") {
      box.append(L.h("p", { class: "muted" }, "Charts unavailable."));
      return holder;
    }
    const series = [{}].concat(spec.series.map((s, i) => ({
      label: s.label,
      stroke: s.color || COLORS[i % COLORS.length],
      fill: i === 0 ? (s.color || COLORS[0]) + "1f" : undefined,
      width: 2,
      spanGaps: false,
      // Sparse series (a few minutes of traffic in a long period) would be invisible as lines alone:
      // mark the points that carry traffic.
      points: { show: true, size: 5, filter: (u, idx) => markedPoints(u.data[idx]) },
      value: (u, v) => (v == null ? "—" : spec.format(v)),
    })));
    const data = [spec.t].concat(spec.series.map((s) => s.values));
    const options = {
      width: 600,
      height: 200,
      series,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: "#6b7280", grid: { stroke: "#eef0f4" }, ticks: { stroke: "#e5e7eb" } },
        { stroke: "#6b7280", grid: { stroke: "#eef0f4" }, ticks: { stroke: "#e5e7eb" }, size: 70, values: axisValues(spec.format) },
      ],
    };
    requestAnimationFrame(() => {
      const plot = new window.uPlot({ ...options, width: Math.max(box.clientWidth, 240) }, data, box);
      new ResizeObserver(() => plot.setSize({ width: Math.max(box.clientWidth, 240), height: 200 })).observe(box);
    });
    return holder;
  };
})(window.Lectr);
