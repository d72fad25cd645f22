// Conveniences only: every page reads and submits without this file.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.getAttribute("data-copy"));
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.value || source.textContent).then(function () {
    const done = button.getAttribute("data-copied");
    if (done) { button.textContent = done; }
  });
});
