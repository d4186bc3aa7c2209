// The chemical risk map. Everything drawn comes from the API, which decides what each caller may
// see (the public gets area levels and upper-tier sites with hazard classes and advice only).
// Works offline: Thailand's outline and the area layers are the base; tiles only when configured.
(function () {
  "use strict";
  var el = document.getElementById("risk-map");
  var cfgEl = document.getElementById("chem-map-config");
  if (!el || !cfgEl || typeof L === "undefined") return;
  var c = JSON.parse(cfgEl.textContent);
  var t = c.labels;
  var th = c.lang === "th";
  var mapCfg = window.RONGNGAN_MAP || {};
  L.Icon.Default.imagePath = mapCfg.imagePath;
  var status = document.getElementById("map-status");
  var panel = document.getElementById("zone-panel-body");

  var map = L.map(el, { preferCanvas: true }).setView([13.0, 101.0], 6);
  if (mapCfg.tileUrl) {
    L.tileLayer(mapCfg.tileUrl, { attribution: mapCfg.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  // Panes keep the drawing order whatever arrives first: outline, then areas, then sites.
  map.createPane("chem-base").style.zIndex = 250;
  map.createPane("chem-areas").style.zIndex = 300;
  var baseRenderer = L.canvas({ pane: "chem-base" });
  var areaRenderer = L.canvas({ pane: "chem-areas" });
  var BANDS = { 1: "#fff3b0", 2: "#f9c74f", 3: "#f3722c", 4: "#9d0208" };
  var TIERS = { upper: "#b3261e", lower: "#f2a900", none: "#5f6b75" };
  function tierLabel(tier) { return tier === "upper" ? t.upper : tier === "lower" ? t.lower : t.none; }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }
  function node(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function row(dl, label, value) {
    dl.appendChild(node("dt", label));
    dl.appendChild(node("dd", value === null || value === undefined || value === "" ? "—" : String(value)));
  }
  function fmt(n) {
    return typeof n === "number" ? n.toLocaleString(th ? "th-TH" : "en-GB", { maximumFractionDigits: 2 }) : n;
  }

  // --- Thailand outline (base)
  getJSON(c.outline_url).then(function (geo) {
    L.geoJSON(geo, {
      style: { color: "#1f4e79", weight: 1, fillColor: "#dfe8f1", fillOpacity: mapCfg.tileUrl ? 0.1 : 0.8 },
      interactive: false,
      pane: "chem-base",
      renderer: baseRenderer,
    }).addTo(map);
  }).catch(function () {});

  // --- Area layer (one level at a time)
  var areaLayer = null;
  var areaCache = {};
  function areaPopup(p) {
    var box = node("div");
    var name = p.name_th || p.name_en ? (th ? p.name_th || p.name_en : p.name_en || p.name_th) : p.key;
    box.appendChild(node("strong", name));
    var dl = node("dl", null, "facts");
    row(dl, t.score, fmt(p.score) + " = " + fmt(p.hazard) + " + " + fmt(p.proximity));
    row(dl, t.hazard, fmt(p.hazard));
    row(dl, t.proximity, fmt(p.proximity));
    row(dl, t.percentile, fmt(p.percentile));
    row(dl, t.band, p.band);
    row(dl, t.sites, p.sites + " (" + t.lower + " " + p.lower + ", " + t.upper + " " + p.upper + ")");
    box.appendChild(dl);
    return box;
  }
  // A Polygon must hold a list of rings; a bare ring ([[lon, lat], ...]) is wrapped so that
  // a layer written that way still draws.
  function ringsFixed(f) {
    var g = f.geometry;
    if (g && g.type === "Polygon" && g.coordinates.length && typeof g.coordinates[0][0] === "number") {
      g.coordinates = [g.coordinates];
    }
  }
  function drawAreas(level) {
    if (areaLayer) { map.removeLayer(areaLayer); areaLayer = null; }
    if (!level) return Promise.resolve();
    status.textContent = t.loading;
    var got = areaCache[level] ? Promise.resolve(areaCache[level]) : getJSON(c.areas_url + "?level=" + encodeURIComponent(level));
    return got.then(function (geo) {
      geo.features.forEach(ringsFixed);
      areaCache[level] = geo;
      areaLayer = L.geoJSON(geo, {
        pane: "chem-areas",
        renderer: areaRenderer,
        style: function (f) {
          return { color: "#555", weight: 0.5, fillColor: BANDS[f.properties.band] || "#ccc", fillOpacity: 0.6 };
        },
        onEachFeature: function (f, layer) { layer.bindPopup(areaPopup(f.properties)); },
      }).addTo(map);
      el.setAttribute("data-areas", String(geo.features.length));
      el.setAttribute("data-level", level);
      status.textContent = geo.features.length ? "" : t.no_areas;
    }).catch(function () { status.textContent = t.failed; });
  }

  // --- Sites and zones
  var siteLayer = L.layerGroup().addTo(map);
  var zoneLayer = L.layerGroup();
  var receptorLayer = L.layerGroup();
  var sites = [];
  var substances = {};
  function substanceBlock(keys) {
    var box = node("div");
    keys.forEach(function (k) {
      var s = substances[k];
      if (!s) return;
      var name = th ? s.name_th || s.name_en : s.name_en || s.name_th;
      box.appendChild(node("p", name + (s.cas ? " (" + s.cas + ")" : ""), "substance-name"));
      if (s.hazard_classes && s.hazard_classes.length) box.appendChild(node("p", s.hazard_classes.join(", "), "muted"));
      if (s.pictograms && s.pictograms.length) box.appendChild(node("p", s.pictograms.join(" "), "muted"));
      var advice = th ? s.emergency_th || s.emergency_en : s.emergency_en || s.emergency_th;
      if (advice) box.appendChild(node("p", t.advice + ": " + advice));
    });
    return box;
  }
  function sitePopup(p) {
    var box = node("div");
    box.appendChild(node("strong", th ? p.name_th || p.name_en : p.name_en || p.name_th));
    box.appendChild(node("p", t.tier + ": " + tierLabel(p.tier)));
    if (p.zone) box.appendChild(node("p", t.zone + ": " + p.zone.radius_km + " " + t.km + " (" + p.zone.substance + ")" + (/screening/.test(p.zone.method) ? " *" : "")));
    if (p.zone && /screening/.test(p.zone.method)) box.appendChild(node("p", "* " + t.screening, "muted"));
    box.appendChild(node("p", t.substances + ":"));
    box.appendChild(substanceBlock(p.substances || []));
    if (c.site_url && p.code) {
      var a = node("a", t.open_site);
      a.href = c.site_url.replace("/0/", "/" + p.id + "/");
      box.appendChild(a);
    }
    return box;
  }
  function listInside(site, latlng, radiusKm) {
    panel.textContent = "";
    var p = site.properties;
    panel.appendChild(node("p", (th ? p.name_th : p.name_en || p.name_th) + " · " + t.zone + " " + p.zone.radius_km + " " + t.km));
    panel.appendChild(node("p", t.method + ": " + p.zone.method, "muted"));
    if (/screening/.test(p.zone.method)) panel.appendChild(node("p", t.screening, "notice"));
    var list = node("ul", null, "inside-list");
    sites.forEach(function (other) {
      if (other === site) return;
      var o = other.geometry.coordinates;
      var d = latlng.distanceTo([o[1], o[0]]) / 1000;
      if (d <= radiusKm) {
        var q = other.properties;
        list.appendChild(node("li", (th ? q.name_th : q.name_en || q.name_th) + " (" + tierLabel(q.tier) + ") · " + d.toFixed(2) + " " + t.km));
      }
    });
    panel.appendChild(list);
    if (!c.zone_receptors_url) return;
    getJSON(c.zone_receptors_url + "?site=" + encodeURIComponent(p.id)).then(function (body) {
      (body.receptors || []).forEach(function (r) {
        list.appendChild(node("li", r.name + " · " + (c.kinds[r.kind] || r.kind) + (r.population ? " · " + fmt(r.population) : "") + " · " + r.distance_km + " " + t.km));
      });
      if (!list.children.length) panel.appendChild(node("p", t.nothing_inside, "muted"));
      panel.setAttribute("data-site", String(p.id));
    }).catch(function () { panel.appendChild(node("p", t.failed, "muted")); });
  }
  // The zones as buttons too: shapes on a canvas cannot be reached by keyboard.
  function zoneList() {
    var holder = document.getElementById("zone-list");
    if (!holder) return;
    var zoned = sites.filter(function (f) { return f.properties.zone && f.properties.zone.radius_km; });
    zoned.sort(function (a, b) { return parseFloat(b.properties.zone.radius_km) - parseFloat(a.properties.zone.radius_km); });
    holder.textContent = "";
    zoned.slice(0, 200).forEach(function (f) {
      var p = f.properties;
      var ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
      var km = parseFloat(p.zone.radius_km);
      var li = node("li");
      var b = node("button", (th ? p.name_th || p.name_en : p.name_en || p.name_th) + " · " + p.zone.radius_km + " " + t.km, "link-button");
      b.type = "button";
      b.setAttribute("data-site", String(p.id));
      b.addEventListener("click", function () {
        map.fitBounds(L.latLng(ll).toBounds(km * 2000));
        listInside(f, ll, km);
      });
      li.appendChild(b);
      holder.appendChild(li);
    });
    holder.hidden = !zoned.length;
  }
  getJSON(c.sites_url).then(function (geo) {
    substances = geo.substances || {};
    sites = geo.features || [];
    sites.forEach(function (f) {
      var p = f.properties;
      var ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
      L.circleMarker(ll, { radius: p.tier === "upper" ? 7 : 5, color: "#222", weight: 1, fillColor: TIERS[p.tier] || "#777", fillOpacity: 0.95 })
        .bindPopup(sitePopup(p))
        .addTo(siteLayer);
      if (p.zone && p.zone.radius_km) {
        var km = parseFloat(p.zone.radius_km);
        L.circle(ll, { radius: km * 1000, color: "#b3261e", weight: 1.5, dashArray: "5 4", fillOpacity: 0.05 })
          .on("click", function () { listInside(f, ll, km); })
          .addTo(zoneLayer);
      }
    });
    zoneList();
    el.setAttribute("data-sites", String(sites.length));
    if (document.querySelector('input[name="layer"][value="zones"]:checked')) zoneLayer.addTo(map);
  }).catch(function () { status.textContent = t.failed; });

  function loadReceptors() {
    if (!c.receptors_url || receptorLayer.getLayers().length) return;
    getJSON(c.receptors_url).then(function (geo) {
      geo.features.forEach(function (f) {
        var p = f.properties;
        L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], { radius: 4, color: "#1f4e79", weight: 1, fillColor: "#1f4e79", fillOpacity: 0.9 })
          .bindPopup(document.createTextNode(p.name + " · " + (c.kinds[p.kind] || p.kind) + " · " + p.layer))
          .addTo(receptorLayer);
      });
      el.setAttribute("data-receptors", String(geo.features.length));
    }).catch(function () { status.textContent = t.failed; });
  }

  // --- Controls
  document.querySelectorAll('input[name="area-level"]').forEach(function (input) {
    input.addEventListener("change", function () { if (input.checked) drawAreas(input.value); });
  });
  var layers = { sites: siteLayer, zones: zoneLayer, receptors: receptorLayer };
  document.querySelectorAll('input[name="layer"]').forEach(function (input) {
    input.addEventListener("change", function () {
      var layer = layers[input.value];
      if (!layer) return;
      if (input.checked) {
        if (input.value === "receptors") loadReceptors();
        layer.addTo(map);
      } else {
        map.removeLayer(layer);
      }
    });
  });
  var first = document.querySelector('input[name="area-level"]:checked');
  drawAreas(first ? first.value : "province").then(function () { el.setAttribute("data-state", "ready"); });
})();
