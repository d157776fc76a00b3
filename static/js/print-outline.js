// The host page's "Print the outline" button: shown only where scripts run, since the
// browser's own Print does the same (the print stylesheet keeps the outline only).
document.querySelectorAll("[data-print-outline]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
