// Loaded first, before the page is drawn: after "Leave this site quickly" in this tab,
// coming back to any page of the site with Back or Forward (or from the back-forward
// cache) replaces it with the neutral site at once. Opening the site afresh (a typed
// address, a link, a bookmark) clears the mark and shows the page.
(function () {
  "use strict";
  var KEY = "quick-exit";

  function exitTo() {
    try {
      return window.sessionStorage.getItem(KEY);
    } catch (error) {
      return null;
    }
  }

  function cameBackOrForward() {
    var entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")
      : [];
    return entries.length > 0 && entries[0].type === "back_forward";
  }

  function leave(url) {
    document.documentElement.style.visibility = "hidden";
    window.location.replace(url);
  }

  var url = exitTo();
  if (url && cameBackOrForward()) {
    leave(url);
  } else if (url) {
    try {
      window.sessionStorage.removeItem(KEY);
    } catch (error) {
      // Storage refused (private mode): nothing was kept, nothing to clear.
    }
  }
  window.addEventListener("pageshow", function (event) {
    var again = exitTo();
    if (event.persisted && again) {
      leave(again);
    }
  });
})();
