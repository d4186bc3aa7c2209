// Small enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function initNav() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (!toggle || !nav) return;
    toggle.hidden = false;
    nav.classList.add("collapsible");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("open", !open);
    });
  }

  // Tabs: sections stay plain anchored sections without JS; with it, one shows at a time.
  function initTabs() {
    document.querySelectorAll("[data-tabs]").forEach(function (box) {
      var links = Array.prototype.slice.call(box.querySelectorAll(".tab-link"));
      var panels = Array.prototype.slice.call(box.querySelectorAll(".tab-panel"));
      if (!links.length) return;
      box.classList.add("tabs-enhanced");
      var list = box.querySelector(".tab-list");
      list.setAttribute("role", "tablist");
      links.forEach(function (a) {
        a.setAttribute("role", "tab");
        a.id = "tab-" + a.dataset.tab;
      });
      panels.forEach(function (p) {
        p.setAttribute("role", "tabpanel");
        p.setAttribute("aria-labelledby", "tab-" + p.id);
      });

      function show(id, focus) {
        var found = panels.some(function (p) { return p.id === id; });
        if (!found) id = panels[0].id;
        links.forEach(function (a) {
          var active = a.dataset.tab === id;
          a.setAttribute("aria-selected", String(active));
          a.tabIndex = active ? 0 : -1;
          if (active && focus) a.focus();
        });
        panels.forEach(function (p) {
          p.hidden = p.id !== id;
          if (!p.hidden) p.dispatchEvent(new CustomEvent("tab:shown", { bubbles: true }));
        });
      }

      links.forEach(function (a, i) {
        a.addEventListener("click", function (e) {
          e.preventDefault();
          history.replaceState(null, "", "#" + a.dataset.tab);
          show(a.dataset.tab);
        });
        a.addEventListener("keydown", function (e) {
          var next = null;
          if (e.key === "ArrowRight") next = links[(i + 1) % links.length];
          if (e.key === "ArrowLeft") next = links[(i - 1 + links.length) % links.length];
          if (next) {
            e.preventDefault();
            history.replaceState(null, "", "#" + next.dataset.tab);
            show(next.dataset.tab, true);
          }
        });
      });
      show(location.hash.replace("#", ""));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initNav(); initTabs(); });
  } else {
    initNav();
    initTabs();
  }
})();
