// A site's page: the site, its worst-case zone as a circle and the receptors inside it, drawn
// offline on Thailand's outline (tiles only when the deployment configures a tile server).
(function () {
  "use strict";
  var el = document.getElementById("site-map");
  var dataEl = document.getElementById("chem-site-map-data");
  if (!el || !dataEl || typeof L === "undefined") return;
  var data = JSON.parse(dataEl.textContent);
  var cfg = window.RONGNGAN_MAP || {};
  L.Icon.Default.imagePath = cfg.imagePath;
  var map = L.map(el, { scrollWheelZoom: false }).setView([data.lat, data.lon], 10);
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("map-offline");
  }
  fetch(data.outline_url, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (geo) {
      if (!geo) return;
      L.geoJSON(geo, {
        style: { color: "#1f4e79", weight: 1, fillColor: "#dfe8f1", fillOpacity: cfg.tileUrl ? 0.1 : 0.8 },
        interactive: false,
      }).addTo(map).bringToBack();
    })
    .catch(function () { /* the site and its zone still show */ });

  var colour = data.tier === "upper" ? "#b3261e" : data.tier === "lower" ? "#f2a900" : "#555";
  L.circleMarker([data.lat, data.lon], { radius: 7, color: "#222", weight: 1, fillColor: colour, fillOpacity: 1 })
    .addTo(map)
    .bindPopup(document.createTextNode(data.name));
  if (data.radius_km) {
    var zone = L.circle([data.lat, data.lon], {
      radius: data.radius_km * 1000, color: "#b3261e", weight: 2, dashArray: "6 4", fillOpacity: 0.08,
    }).addTo(map).bindPopup(document.createTextNode(data.zone_label));
    map.fitBounds(zone.getBounds(), { padding: [10, 10] });
  }
  (data.receptors || []).forEach(function (r) {
    L.circleMarker([r.lat, r.lon], { radius: 5, color: "#1f4e79", weight: 1, fillColor: "#1f4e79", fillOpacity: 0.9 })
      .addTo(map)
      .bindPopup(document.createTextNode(r.name + " · " + r.kind + " · " + r.km + " km"));
  });
  el.setAttribute("data-ready", "1");
})();
