// Copy-link button of the share bar.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".copy-link");
  if (!button) return;
  const url = button.closest(".share").dataset.url;
  navigator.clipboard.writeText(url).then(() => { button.textContent = button.dataset.copied; });
});

// Copy buttons of the subscribe page: each copies the feed address in its data-copy attribute.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  navigator.clipboard.writeText(button.dataset.copy).then(() => { button.textContent = button.dataset.copied; });
});
