// Browse page: "use my location" and, when the person asks for it, a map of the results.
// The list alone is complete; both are extras for browsers that can do them. The map's
// tiles come from a third-party server, so nothing is asked of it before "Show map".
(function () {
  "use strict";

  var map = null;
  var markerLayer = null;
  var wanted = false;

  function markers() {
    var data = document.getElementById("map-markers");
    if (!data) return [];
    try {
      return JSON.parse(data.textContent) || [];
    } catch (e) {
      return [];
    }
  }

  function removeMap() {
    if (map) {
      map.remove();
      map = null;
    }
  }

  // The toggle shows when there is something to map; the map when it was asked for.
  function drawMap() {
    var box = document.getElementById("map");
    var toggle = document.querySelector("[data-map-toggle]");
    var failed = document.querySelector("[data-map-failed]");
    if (!box || !toggle || !window.L || !box.dataset.tileUrl) return;
    var points = markers();
    var button = toggle.querySelector("button");
    toggle.hidden = points.length === 0;
    button.textContent = wanted ? gettext("Hide map") : gettext("Show map");
    button.setAttribute("aria-expanded", wanted ? "true" : "false");
    box.hidden = !wanted || points.length === 0;
    // Back and Forward bring a fresh page whose map box is new.
    if (map && (box.hidden || map.getContainer() !== box)) removeMap();
    if (box.hidden) {
      failed.hidden = true;
      return;
    }
    if (!map) {
      map = L.map(box, { scrollWheelZoom: false });
      L.tileLayer(box.dataset.tileUrl, {
        attribution: box.dataset.attribution || "",
        maxZoom: 18,
      })
        .on("tileerror", function () {
          failed.hidden = false;
        })
        .addTo(map);
      markerLayer = L.layerGroup().addTo(map);
    }
    map.invalidateSize();
    markerLayer.clearLayers();
    var bounds = [];
    points.forEach(function (point) {
      var marker = L.marker([point.lat, point.lng], { title: point.name, alt: point.name });
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      marker.bindPopup(link);
      markerLayer.addLayer(marker);
      bounds.push([point.lat, point.lng]);
    });
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
  }

  // One listener for the page's life: the toggle's button is replaced on Back and Forward.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-map-toggle] button");
    if (!button) return;
    wanted = !wanted;
    drawMap();
  });

  function setUpLocation() {
    var button = document.getElementById("use-location");
    var form = document.getElementById("circle-search");
    if (!button || !form || !("geolocation" in navigator)) return;
    var near = form.querySelector("[name=near]");
    var lat = form.querySelector("[name=lat]");
    var lng = form.querySelector("[name=lng]");
    button.hidden = false;
    // Typing a place replaces a location found by the browser.
    near.addEventListener("input", function () {
      lat.value = "";
      lng.value = "";
    });
    button.addEventListener("click", function () {
      button.disabled = true;
      button.textContent = gettext("Finding you…");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(4);
          lng.value = position.coords.longitude.toFixed(4);
          near.value = "";
          button.disabled = false;
          button.textContent = gettext("Use my location");
          form.requestSubmit();
        },
        function () {
          button.disabled = false;
          button.textContent = gettext("Location unavailable: type a place instead");
          near.focus();
        },
        { timeout: 10000, maximumAge: 600000 }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpLocation();
    drawMap();
  });
  document.addEventListener("htmx:afterSettle", drawMap);
  document.addEventListener("htmx:historyRestore", function () {
    setUpLocation();
    drawMap();
  });
})();
