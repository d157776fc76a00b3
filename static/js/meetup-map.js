// A small map of the meetup's venue; the page reads fine without it.
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("meetup-map");
    if (!el || typeof L === "undefined") {
      return;
    }
    var lat = parseFloat(el.dataset.lat);
    var lng = parseFloat(el.dataset.lng);
    if (isNaN(lat) || isNaN(lng)) {
      return;
    }
    var map = L.map(el, { scrollWheelZoom: false }).setView([lat, lng], 16);
    L.tileLayer(el.dataset.tileUrl, {
      maxZoom: 19,
      attribution: el.dataset.attribution,
    }).addTo(map);
    L.marker([lat, lng], { title: el.dataset.name, alt: el.dataset.name }).addTo(map);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
