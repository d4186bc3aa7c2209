// The factory's map: works offline (Thailand's outline from our own server), adds tiles when
// the deployment configures a tile server.
(function () {
  "use strict";
  var el = document.getElementById("factory-map");
  var dataEl = document.getElementById("factory-map-data");
  if (!el || !dataEl || typeof L === "undefined") return;
  var data = JSON.parse(dataEl.textContent);
  var cfg = window.RONGNGAN_MAP || {};
  L.Icon.Default.imagePath = cfg.imagePath;

  var map = L.map(el, { scrollWheelZoom: false }).setView([13.0, 101.0], 5);
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("map-offline");
  }

  fetch(data.outline_url, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (geo) {
      if (!geo) return;
      var outline = L.geoJSON(geo, {
        style: { color: "#1f4e79", weight: 1, fillColor: "#dfe8f1", fillOpacity: cfg.tileUrl ? 0.1 : 0.8 },
        interactive: false,
      }).addTo(map);
      outline.bringToBack();
      if (data.lat === null) map.fitBounds(outline.getBounds());
    })
    .catch(function () { /* the pin alone still says where the factory is */ });

  if (data.lat !== null && data.lon !== null) {
    var label = data.name + (data.name_en ? " · " + data.name_en : "");
    L.marker([data.lat, data.lon], { title: label, alt: label })
      .addTo(map)
      .bindPopup(document.createTextNode(label));
    map.setView([data.lat, data.lon], cfg.tileUrl ? 13 : 8);
  }

  // A map drawn in a hidden tab has no size; redraw it when its tab is shown.
  document.addEventListener("tab:shown", function (e) {
    if (e.target.contains(el)) map.invalidateSize();
  });
})();
