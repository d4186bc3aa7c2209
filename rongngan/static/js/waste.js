/* The waste dashboard's chart (Chart.js, vendored). Data comes from a json_script block;
   the numbers are decimal strings (tonnes) and the table beside the chart shows the same. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var el = document.getElementById("waste-province-data");
  var canvas = document.getElementById("waste-province-chart");
  if (!el || !canvas) return;
  var d = JSON.parse(el.textContent);
  function nums(list) { return list.map(Number); }
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: d.labels,
      datasets: [
        { label: d.hazardous_label, data: nums(d.hazardous), backgroundColor: "#b42318" },
        { label: d.other_label, data: nums(d.other), backgroundColor: "#9db8d6" },
      ],
    },
    options: {
      animation: false,
      indexAxis: "y",
      scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } },
    },
  });
})();
