// Copy-link button of the share bar.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".copy-link");
  if (!button) return;
  const url = button.closest(".share").dataset.url;
  navigator.clipboard.writeText(url).then(() => { button.textContent = button.dataset.copied; });
});
