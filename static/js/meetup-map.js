// A small map of the meetup's venue, drawn only when the person presses "Show map": the
// tiles come from a third-party server, which learns who looks and where. The address is
// on the page either way, and says so when the tiles cannot load.
(function () {
  "use strict";
  var map = null;

  function init() {
    var el = document.getElementById("meetup-map");
    var toggle = document.querySelector("[data-map-toggle]");
    var failed = document.querySelector("[data-map-failed]");
    if (!el || !toggle || typeof L === "undefined") {
      return;
    }
    var lat = parseFloat(el.dataset.lat);
    var lng = parseFloat(el.dataset.lng);
    if (isNaN(lat) || isNaN(lng)) {
      return;
    }
    var button = toggle.querySelector("button");
    toggle.hidden = false;
    button.addEventListener("click", function () {
      var showing = map !== null;
      if (showing) {
        map.remove();
        map = null;
        el.hidden = true;
        if (failed) failed.hidden = true;
      } else {
        el.hidden = false;
        map = L.map(el, { scrollWheelZoom: false }).setView([lat, lng], 16);
        L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.attribution })
          .on("tileerror", function () {
            if (failed) failed.hidden = false;
          })
          .addTo(map);
        L.marker([lat, lng], { title: el.dataset.name, alt: el.dataset.name }).addTo(map);
      }
      button.textContent = showing ? gettext("Show map") : gettext("Hide map");
      button.setAttribute("aria-expanded", showing ? "false" : "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
