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
  // history keeps no entry for it and Back does not come here. The link itself goes
  // there without JavaScript.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-quick-exit]");
    if (!link) {
      return;
    }
    event.preventDefault();
    window.location.replace(link.href);
  });
})();
