// Bar chart of readings per DAQI band (from /api/summary), with the same numbers as text for
// screen readers (the canvas's aria-label and the figure caption).

import { DAQI } from "./daqi.js";

export class BandChart {
  constructor(canvas, caption) {
    this.canvas = canvas;
    this.caption = caption;
    const Chart = window.Chart;
    this.chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: DAQI.bands.map((b) => `${b.name} (${b.low === b.high ? b.low : `${b.low}–${b.high}`})`),
        datasets: [
          {
            label: "Readings",
            data: DAQI.bands.map(() => 0),
            backgroundColor: DAQI.bands.map((b) => b.colour),
            borderColor: "#1b1f24",
            borderWidth: 1,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${item.parsed.y.toLocaleString("en")} readings` } },
        },
        scales: {
          x: { title: { display: true, text: "DAQI band (index)" }, grid: { display: false } },
          y: { beginAtZero: true, title: { display: true, text: "Readings" }, ticks: { precision: 0 } },
        },
      },
    });
  }

  /** counts: {"Low": n, "Moderate": n, ...}; scope: a short description of what was counted. */
  show(counts, scope) {
    const values = DAQI.bands.map((b) => Number(counts?.[b.name] ?? 0));
    this.chart.data.datasets[0].data = values;
    this.chart.update();
    const total = values.reduce((a, b) => a + b, 0);
    const parts = DAQI.bands.map((b, i) => `${b.name} ${values[i].toLocaleString("en")}`);
    const summary = `${total.toLocaleString("en")} readings ${scope}: ${parts.join(", ")}.`;
    this.canvas.setAttribute("aria-label", `Bar chart of readings per DAQI band. ${summary}`);
    this.caption.textContent = summary;
  }

  resize() {
    this.chart.resize();
  }
}
