// Starting or editing a circle: click the map to fill in a new venue's position (or see
// the one "Find this address" filled in). The page works
// without it (the latitude and longitude can be typed). The map's tiles come from a
// third-party server, so the map is drawn only once the person presses "Show map".
(function () {
  "use strict";
  var DEFAULT_ZOOM = 13;
  // Asked for once, the map stays shown when the venue section is swapped for a new area.
  var wanted = false;

  function init() {
    var el = document.getElementById("venue-map");
    var toggle = document.querySelector("[data-map-toggle]");
    if (!el || !toggle || el.dataset.ready || typeof L === "undefined") {
      return;
    }
    var latInput = document.getElementById("id_venue_lat");
    var lngInput = document.getElementById("id_venue_lng");
    var lat = parseFloat(latInput.value || el.dataset.lat);
    var lng = parseFloat(lngInput.value || el.dataset.lng);
    if (isNaN(lat) || isNaN(lng) || !el.dataset.tileUrl) {
      return;
    }
    if (!wanted) {
      if (toggle.dataset.bound) {
        return;
      }
      toggle.dataset.bound = "1";
      toggle.hidden = false;
      var button = toggle.querySelector("button");
      button.addEventListener("click", function () {
        wanted = true;
        button.setAttribute("aria-expanded", "true");
        toggle.hidden = true;
        init();
        el.focus();
      });
      return;
    }
    el.dataset.ready = "1";
    el.classList.add("is-ready");
    var map = L.map(el).setView([lat, lng], DEFAULT_ZOOM);
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
    var marker = null;
    function place(point) {
      if (marker) {
        marker.setLatLng(point);
      } else {
        marker = L.marker(point, { alt: gettext("The new venue") }).addTo(map);
      }
    }
    if (latInput.value && lngInput.value) {
      place([lat, lng]);
    }
    map.on("click", function (event) {
      latInput.value = event.latlng.lat.toFixed(6);
      lngInput.value = event.latlng.lng.toFixed(6);
      place(event.latlng);
      var newVenue = document.querySelector('input[name="venue"][value="new"]');
      if (newVenue) {
        newVenue.checked = true;
      }
      var venueSelect = document.querySelector('select[name="venue"]');
      if (venueSelect) {
        venueSelect.value = "new";
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  // The venue section is swapped in place when the area changes.
  document.addEventListener("htmx:afterSettle", init);
})();
