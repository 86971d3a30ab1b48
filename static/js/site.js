// Behaviour of the public pages. No inline scripts anywhere: everything is wired up here.
const FONT_SIZE_KEY = "newsroom-font-size";

// Copy-link button of the share bar; says so in a live region, or tells how to copy by hand.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".copy-link");
  if (!button) return;
  const share = button.closest(".share");
  const status = share.querySelector(".copy-status");
  const say = (text) => { if (status) status.textContent = text; };
  if (!navigator.clipboard) { say(button.dataset.failed); return; }
  navigator.clipboard.writeText(share.dataset.url).then(
    () => say(button.dataset.copied),
    () => say(button.dataset.failed),
  );
});

// Copy buttons of the subscribe page: each copies the feed address in its data-copy attribute.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  navigator.clipboard.writeText(button.dataset.copy).then(() => { button.textContent = button.dataset.copied; });
});
// 字号 大/中/小: sets html[data-font-size] (the CSS sizes from it) and remembers the choice.
function showFontSize(size) {
  document.querySelectorAll(".reading-tools [data-font-size]").forEach((button) => {
    button.setAttribute("aria-pressed", String(button.dataset.fontSize === size));
  });
}

document.addEventListener("click", (event) => {
  const button = event.target.closest(".reading-tools [data-font-size]");
  if (!button) return;
  const size = button.dataset.fontSize;
  if (size) document.documentElement.dataset.fontSize = size;
  else delete document.documentElement.dataset.fontSize;
  try {
    if (size) window.localStorage.setItem(FONT_SIZE_KEY, size);
    else window.localStorage.removeItem(FONT_SIZE_KEY);
  } catch (error) {
    // Storage blocked: the size holds for this page only.
  }
  showFontSize(size);
});

document.addEventListener("click", (event) => {
  if (event.target.closest(".reading-tools .print")) window.print();
});

// 长者模式 (elder mode): html.care (larger text, more contrast, bigger targets, a plainer page),
// remembered in localStorage; reader-settings.js applies it before first paint on the next page.
const CARE_KEY = "newsroom-care";

function showCare() {
  const on = document.documentElement.classList.contains("care");
  document.querySelectorAll(".care-toggle").forEach((button) => button.setAttribute("aria-pressed", String(on)));
}

document.addEventListener("click", (event) => {
  if (!event.target.closest(".care-toggle")) return;
  const on = document.documentElement.classList.toggle("care");
  try {
    if (on) window.localStorage.setItem(CARE_KEY, "on");
    else window.localStorage.removeItem(CARE_KEY);
  } catch (error) {
    // Storage blocked: the mode holds for this page only.
  }
  showCare();
});
showCare();

// The tools need this script, so they are shown only once it runs.
document.querySelectorAll(".reading-tools").forEach((tools) => { tools.hidden = false; });
showFontSize(document.documentElement.dataset.fontSize || "");
