// Site-wide behaviour. Everything here is progressive enhancement: pages work without it.
(function () {
  "use strict";

  if (window.htmx) {
    // A form the browser finds invalid says why, as it would without htmx.
    window.htmx.config.reportValidityOfForms = true;
    // A 400/422 carries a form with its error messages: show it instead of doing nothing.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "40[0]|422", swap: true, error: false },
      // Too many requests: the page saying so replaces the page (the server retargets it).
      { code: "429", swap: true, error: false },
      // Something went wrong, or the database is away: the page saying so, with the crisis
      // line, replaces the page (peersupport.errors retargets it).
      { code: "50[03]", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false },
    ];
  }

  // "Leave this site quickly": replace this page with the neutral site, so the tab's
  // history keeps no entry for it, and mark the tab (quick-exit-guard.js) so Back to any
  // earlier page of the site leaves again at once. With QUICK_EXIT_SIGNS_OUT the person is
  // signed out on the way. Escape pressed three times within two seconds does the same.
  // The link itself goes there without JavaScript.
  function quickExit(link) {
    try {
      window.sessionStorage.setItem("quick-exit", link.href);
    } catch (error) {
      // Storage refused (private mode): the page is still replaced.
    }
    var signOut = link.getAttribute("data-sign-out");
    var token = link.getAttribute("data-csrf");
    if (signOut && token && window.fetch) {
      window.fetch(signOut, {
        method: "POST",
        headers: { "X-CSRFToken": token },
        credentials: "same-origin",
        keepalive: true,
      });
    }
    window.location.replace(link.href);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-quick-exit]");
    if (!link) {
      return;
    }
    event.preventDefault();
    quickExit(link);
  });

  var escapes = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var now = Date.now();
    escapes = escapes.filter(function (at) {
      return now - at < 2000;
    });
    escapes.push(now);
    var link = document.querySelector("a[data-quick-exit]");
    if (escapes.length >= 3 && link) {
      quickExit(link);
    }
  });
})();
