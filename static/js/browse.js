// Browse page: "use my location" and the map beside the results. The list alone is
// complete; both are extras for browsers that can do them.
(function () {
  "use strict";

  var map = null;
  var markerLayer = null;

  function markers() {
    var data = document.getElementById("map-markers");
    if (!data) return [];
    try {
      return JSON.parse(data.textContent) || [];
    } catch (e) {
      return [];
    }
  }

  function drawMap() {
    var box = document.getElementById("map");
    if (!box || !window.L || !box.dataset.tileUrl) return;
    var points = markers();
    box.hidden = points.length === 0;
    if (!points.length) return;
    // Back and Forward bring a fresh page whose map box is new.
    if (map && map.getContainer() !== box) {
      map.remove();
      map = null;
    }
    if (!map) {
      map = L.map(box, { scrollWheelZoom: false });
      L.tileLayer(box.dataset.tileUrl, {
        attribution: box.dataset.attribution || "",
        maxZoom: 18,
      }).addTo(map);
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
      button.textContent = "Finding you…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(4);
          lng.value = position.coords.longitude.toFixed(4);
          near.value = "";
          button.disabled = false;
          button.textContent = "Use my location";
          form.requestSubmit();
        },
        function () {
          button.disabled = false;
          button.textContent = "Location unavailable: type a place instead";
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
