// The check-in page: choosing the lowest mood shows the crisis line beside the form at
// once (the server shows it too when the page opens with that mood chosen).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("checkin-crisis");
  if (!box) return;
  for (const input of document.querySelectorAll('input[name="mood"]')) {
    input.addEventListener("change", () => {
      box.hidden = !(input.checked && input.value === "1");
    });
  }
});
