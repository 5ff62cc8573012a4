// The progress page: mastery bars sized from their data-percent (no inline style under the
// Content-Security-Policy), and, when there is a history, mastery over time, one line per
// concept, from the page's JSON (Plotly served locally).
(function () {
  "use strict";
  document.querySelectorAll(".mastery-bars .fill[data-percent]").forEach(function (fill) {
    fill.style.width = Number(fill.dataset.percent) + "%";
  });
  const source = document.getElementById("mastery-history");
  const chart = document.getElementById("mastery-chart");
  if (!source || !chart || typeof Plotly === "undefined") return;
  chart.style.height = "380px";
  const data = JSON.parse(source.textContent);
  const traces = Object.keys(data).map(function (name) {
    return { x: data[name].x, y: data[name].y, name: name, mode: "lines+markers", type: "scatter", line: { shape: "hv" } };
  });
  Plotly.newPlot("mastery-chart", traces, {
    margin: { t: 10, r: 10, b: 40, l: 50 },
    // A line starts at the first answer on its concept; a concept not started has no line.
    yaxis: { title: { text: "How sure the tutor is" }, range: [0, 1], tickformat: ".0%" },
    legend: { orientation: "h", y: -0.2 },
  }, {
    // Nothing that links or sends out: no logo link, no "edit in Chart Studio", no MathJax.
    displaylogo: false, showLink: false, showSendToCloud: false, showEditInChartStudio: false,
    typesetMath: false, responsive: true,
  });
})();
