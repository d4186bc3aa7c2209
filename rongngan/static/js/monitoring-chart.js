/* Monitoring charts (Chart.js, vendored): values of one parameter with its limits drawn as
   horizontal lines. Data comes from a json_script block named by the canvas's data-source;
   numbers are decimal strings. A canvas with data-zoom-url zooms in on click: the clicked day
   becomes the window (HTMX reload of the chart fragment). Charts inside a fragment swapped in by
   HTMX are drawn after the swap. */
(function () {
  "use strict";
  var LIMIT_COLOURS = ["#b42318", "#c2410c", "#7c3aed", "#0f766e"];

  function num(v) { return v === null || v === undefined ? null : Number(v); }

  function nextDay(iso) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  function draw(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.drawn) return;
    var source = document.getElementById(canvas.dataset.source);
    if (!source) return;
    var d = JSON.parse(source.textContent);
    canvas.dataset.drawn = "1";
    var n = d.values.length;
    var datasets = [{
      label: d.value_label + " (" + d.unit + ")",
      data: d.values.map(num),
      borderColor: "#1d4ed8",
      backgroundColor: "#1d4ed8",
      borderWidth: 1.5,
      spanGaps: false,
      pointRadius: n > 400 ? 0 : 2,
      pointBackgroundColor: d.valid.map(function (ok) { return ok ? "#1d4ed8" : "#9ca3af"; }),
      segment: {
        borderColor: function (ctx) { return d.valid[ctx.p1DataIndex] ? "#1d4ed8" : "#9ca3af"; },
      },
    }];
    d.limits.forEach(function (limit, i) {
      var colour = LIMIT_COLOURS[i % LIMIT_COLOURS.length];
      function line(value, label, dash) {
        if (value === null || value === undefined) return;
        var v = Number(value);
        datasets.push({
          label: label, data: new Array(n).fill(v), borderColor: colour, borderDash: dash,
          borderWidth: 1.5, pointRadius: 0, fill: false,
        });
      }
      if (limit.comparator === "range") {
        line(limit.low_value, limit.label + " ≥ " + limit.low_value, [6, 4]);
        line(limit.high_value, limit.label + " ≤ " + limit.high_value, [6, 4]);
      } else {
        line(limit.value, limit.label + " " + limit.value, [6, 4]);
      }
      line(limit.upper_value, d.upper_label + " " + (limit.upper_value || ""), [2, 3]);
    });
    var zoom = canvas.dataset.zoomUrl;
    new Chart(canvas, {
      type: "line",
      data: { labels: d.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: { maxTicksLimit: 12 } }, y: { title: { display: true, text: d.unit } } },
        plugins: {
          tooltip: {
            callbacks: {
              afterBody: function (items) {
                var i = items.length ? items[0].dataIndex : -1;
                return i >= 0 && d.notes[i] ? [d.notes[i]] : [];
              },
            },
          },
        },
        onClick: zoom ? function (evt, elements, chart) {
          var hit = chart.getElementsAtEventForMode(evt, "index", { intersect: false }, false);
          if (!hit.length || typeof htmx === "undefined") return;
          var url = zoom + "&end=" + nextDay(d.days[hit[0].index]);
          htmx.ajax("GET", url, { target: canvas.dataset.target || "#series", swap: "innerHTML" });
        } : undefined,
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas.monitoring-chart").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  } else {
    drawAll();
  }
  document.body.addEventListener("htmx:afterSwap", function (evt) { drawAll(evt.target); });
})();
