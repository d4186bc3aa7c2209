/* Charts of the action-plan pages (Chart.js, vendored). Data comes from json_script blocks. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var COLORS = {
    met: "#1e7b34", on_track: "#2f6db5", at_risk: "#b7791f", off_track: "#b42318",
    no_data: "#8a94a6", no_target: "#c5cbd6",
  };
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var sparks = data("plan-sparklines");
  if (sparks) {
    document.querySelectorAll("canvas.sparkline").forEach(function (canvas) {
      var s = sparks[canvas.dataset.kpi];
      if (!s || !s.values.some(function (v) { return v !== null; })) return;
      var datasets = [{ data: s.values, borderColor: "#0b4f8a", borderWidth: 2, pointRadius: 2, tension: 0.2 }];
      if (s.target !== null) {
        datasets.push({ data: s.labels.map(function () { return s.target; }), borderColor: "#b7791f",
          borderDash: [3, 3], borderWidth: 1, pointRadius: 0 });
      }
      new Chart(canvas, {
        type: "line",
        data: { labels: s.labels, datasets: datasets },
        options: { responsive: false, animation: false, events: [],
          plugins: { legend: { display: false }, tooltip: { enabled: false } },
          scales: { x: { display: false }, y: { display: false, beginAtZero: true } } },
      });
    });
  }

  var status = data("plan-status-chart");
  var statusCanvas = document.getElementById("status-chart");
  if (status && statusCanvas) {
    new Chart(statusCanvas, {
      type: "doughnut",
      data: { labels: status.labels, datasets: [{ data: status.values,
        backgroundColor: status.keys.map(function (k) { return COLORS[k]; }) }] },
      options: { animation: false, plugins: { legend: { position: "right" } } },
    });
  }

  var budget = data("plan-budget-chart");
  var budgetCanvas = document.getElementById("budget-chart");
  if (budget && budgetCanvas) {
    new Chart(budgetCanvas, {
      type: "bar",
      data: { labels: budget.labels, datasets: [
        { label: budget.allocated_label, data: budget.allocated, backgroundColor: "#9db8d6" },
        { label: budget.disbursed_label, data: budget.disbursed, backgroundColor: "#0b4f8a" },
      ] },
      options: { animation: false, scales: { y: { beginAtZero: true } } },
    });
  }

  var kpi = data("plan-kpi-chart");
  var kpiCanvas = document.getElementById("kpi-chart");
  if (kpi && kpiCanvas) {
    var sets = [{ label: "", data: kpi.values, borderColor: "#0b4f8a", backgroundColor: "#0b4f8a", tension: 0.2 }];
    if (kpi.target !== null) {
      sets.push({ label: "", data: kpi.labels.map(function () { return kpi.target; }),
        borderColor: "#b7791f", borderDash: [4, 4], pointRadius: 0 });
    }
    new Chart(kpiCanvas, {
      type: "line",
      data: { labels: kpi.labels, datasets: sets },
      options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    });
  }
})();
