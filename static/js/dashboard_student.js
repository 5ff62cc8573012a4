// One student's page: mastery trajectories (one line per concept) and time on task per day,
// from the page's JSON (Plotly served locally).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("student-data").textContent);
  const config = {
    // Nothing that links or sends out: no logo link, no "edit in Chart Studio", no MathJax.
    displaylogo: false, showLink: false, showSendToCloud: false, showEditInChartStudio: false,
    typesetMath: false, responsive: true,
  };
  const trajectory = document.getElementById("trajectory-chart");
  if (trajectory) {
    const traces = Object.keys(data.trajectories).map(function (name) {
      const line = data.trajectories[name];
      return { x: line.x, y: line.y, name: name, mode: "lines+markers", type: "scatter", line: { shape: "hv" } };
    });
    Plotly.newPlot(trajectory, traces, {
      margin: { t: 10, r: 10, b: 40, l: 50 },
      yaxis: { title: { text: "P(known)" }, range: [0, 1] },
      legend: { orientation: "h", y: -0.2 },
    }, config);
  }
  const time = document.getElementById("time-chart");
  if (time) {
    Plotly.newPlot(time, [{
      type: "bar",
      x: data.time.map(function (d) { return d[0]; }),
      y: data.time.map(function (d) { return Math.round(d[1] / 6) / 10; }),
      marker: { color: "#3b82f6" },
      hovertemplate: "%{x}: %{y} min<extra></extra>",
    }], {
      margin: { t: 10, r: 10, b: 40, l: 50 },
      yaxis: { title: { text: "minutes" }, rangemode: "tozero" },
      xaxis: { type: "date", tickformat: "%b %d" },
    }, config);
  }
})();
