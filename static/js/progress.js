// Mastery over time, one line per concept, from the page's JSON (Plotly served locally).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("mastery-history").textContent);
  const traces = Object.keys(data).map(function (name) {
    return { x: data[name].x, y: data[name].y, name: name, mode: "lines+markers", type: "scatter", line: { shape: "hv" } };
  });
  Plotly.newPlot("mastery-chart", traces, {
    margin: { t: 10, r: 10, b: 40, l: 50 },
    yaxis: { title: { text: "P(mastered)" }, range: [0, 1] },
    legend: { orientation: "h", y: -0.2 },
  }, {
    // Nothing that links or sends out: no logo link, no "edit in Chart Studio", no MathJax.
    displaylogo: false, showLink: false, showSendToCloud: false, showEditInChartStudio: false,
    typesetMath: false, responsive: true,
  });
})();
