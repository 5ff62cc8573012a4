// The classroom x concept mastery heatmap, from the page's JSON. The project serves Plotly's
// basic bundle (scatter, bar, pie), which has no heatmap trace: each cell is a square marker
// of a scatter trace, coloured by mastery. A click on a cell opens that student's history
// on that concept.
(function () {
  "use strict";
  const box = document.getElementById("heatmap-chart");
  const data = JSON.parse(document.getElementById("heatmap-data").textContent);
  const studentUrl = box.dataset.studentUrl;
  const nRows = data.students.length;
  const nCols = data.concepts.length;
  const margin = { t: 10, r: 90, b: 150, l: 170 };
  const rowPx = 22;
  const height = margin.t + margin.b + rowPx * Math.max(nRows, 3);
  box.style.height = height + "px";
  const colPx = Math.max(6, (box.clientWidth - margin.l - margin.r) / Math.max(nCols, 1));
  const size = Math.max(5, Math.min(colPx, rowPx) - 2);

  function cells(practised) {
    const t = { x: [], y: [], color: [], text: [], ids: [] };
    data.z.forEach(function (row, r) {
      row.forEach(function (m, c) {
        if ((m !== null) !== practised) { return; }
        t.x.push(c);
        t.y.push(r);
        t.color.push(m === null ? 0 : m);
        t.text.push(data.students[r][1] + "<br>" + data.concepts[c][1] + ": " +
          (m === null ? "not practised" : Math.round(m * 100) + "%"));
        t.ids.push([data.students[r][0], data.concepts[c][0]]);
      });
    });
    return t;
  }
  const done = cells(true);
  const notYet = cells(false);
  const traces = [
    {
      type: "scatter", mode: "markers", name: "P(known)", x: done.x, y: done.y, text: done.text,
      customdata: done.ids, hovertemplate: "%{text}<extra></extra>",
      marker: {
        symbol: "square", size: size, color: done.color, cmin: 0, cmax: 1,
        colorscale: [[0, "#dc2626"], [0.3, "#f97316"], [0.6, "#facc15"], [0.95, "#4ade80"], [1, "#15803d"]],
        colorbar: { title: { text: "P(known)" }, thickness: 12 }, line: { width: 0 },
      },
    },
    {
      type: "scatter", mode: "markers", name: "not practised", x: notYet.x, y: notYet.y, text: notYet.text,
      customdata: notYet.ids, hovertemplate: "%{text}<extra></extra>",
      marker: { symbol: "square", size: size, color: "#e2e8f0", line: { width: 0 } },
    },
  ];
  Plotly.newPlot(box, traces, {
    margin: margin,
    showlegend: false,
    hovermode: "closest",
    xaxis: {
      tickvals: data.concepts.map(function (_, c) { return c; }),
      ticktext: data.concepts.map(function (c) { return c[1]; }),
      tickangle: -40, range: [-0.5, nCols - 0.5], showgrid: false, zeroline: false, fixedrange: true,
    },
    yaxis: {
      tickvals: data.students.map(function (_, r) { return r; }),
      ticktext: data.students.map(function (s) { return s[1]; }),
      range: [Math.max(nRows, 3) - 0.5, -0.5], showgrid: false, zeroline: false, fixedrange: true,
    },
    plot_bgcolor: "#ffffff",
  }, {
    // Nothing that links or sends out: no logo link, no "edit in Chart Studio", no MathJax.
    displaylogo: false, showLink: false, showSendToCloud: false, showEditInChartStudio: false,
    typesetMath: false, responsive: true, displayModeBar: false,
  });
  box.on("plotly_click", function (event) {
    const point = event.points && event.points[0];
    if (!point || !point.customdata) { return; }
    window.location.href = studentUrl + point.customdata[0] + "/?concept=" + point.customdata[1];
  });
})();
