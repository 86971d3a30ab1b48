// Behaviour of the public pages. No inline scripts anywhere: everything is wired up here.
const FONT_SIZE_KEY = "newsroom-font-size";

// Copying an address: the Clipboard API where there is one (HTTPS, permission); else the address is
// put in a text box next to the button and selected, and the browser's copy command is tried. Resolves
// to true when the text was copied, false when it is only selected (the reader copies it by hand).
function copyText(text, button) {
  const bySelection = () => {
    let box = button.parentElement.querySelector("input.copy-fallback");
    if (!box) {
      box = document.createElement("input");
      box.className = "copy-fallback";
      box.readOnly = true;
      box.setAttribute("aria-label", button.dataset.selected || "");
      button.after(box);
    }
    box.value = text;
    box.focus();
    box.select();
    box.setSelectionRange(0, text.length);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    return navigator.clipboard.writeText(text).then(() => true, bySelection);
  }
  return Promise.resolve(bySelection());
}

// Copy-link button of the share bar; says what happened in a live region.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".copy-link");
  if (!button) return;
  const share = button.closest(".share");
  const status = share.querySelector(".copy-status");
  copyText(share.dataset.url, button).then((copied) => {
    if (status) status.textContent = copied ? button.dataset.copied : button.dataset.failed;
  });
});

// Copy buttons of the subscribe page: each copies the feed address in its data-copy attribute.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  copyText(button.dataset.copy, button).then((copied) => {
    button.textContent = copied ? button.dataset.copied : button.dataset.failed;
  });
});

// 返回顶部 only where there is something to go back up from: pages longer than two screens.
function showBackToTop() {
  document.querySelectorAll(".back-to-top").forEach((link) => {
    link.hidden = document.documentElement.scrollHeight < 2 * window.innerHeight;
  });
}
showBackToTop();
window.addEventListener("resize", showBackToTop);

// The promo block: on a phone its first lines and a button that shows the rest (CSS clamps .clamped).
document.querySelectorAll(".promo").forEach((promo) => {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "promo-toggle";
  button.textContent = promo.dataset.more;
  button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", () => {
    const open = promo.classList.toggle("clamped") === false;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? promo.dataset.less : promo.dataset.more;
  });
  promo.classList.add("clamped");
  promo.append(button);
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

// Media contacts' e-mail addresses: the page holds each reversed and base64-encoded (data-e), with a
// readable "name [at] example [dot] com" for readers without JavaScript; here it becomes a mailto link.
document.querySelectorAll(".protected-email[data-e]").forEach((holder) => {
  const bytes = Uint8Array.from(atob(holder.dataset.e), (c) => c.charCodeAt(0));
  const address = Array.from(new TextDecoder().decode(bytes)).reverse().join("");
  const link = document.createElement("a");
  link.href = `mailto:${address}`;
  link.textContent = address;
  holder.replaceChildren(link);
});

// 纠错: the words the reader last selected in the article go into the report form; the form is sent
// without leaving the page (without this script it is a plain form that answers with a page).
let selectedInArticle = "";
document.addEventListener("selectionchange", () => {
  const selection = document.getSelection();
  const text = selection ? selection.toString().trim() : "";
  const node = selection && selection.anchorNode;
  const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
  if (!text || !element || !element.closest(".article-header, .article-body")) return;
  selectedInArticle = text.slice(0, 500);
  document.querySelectorAll(".report-error[open] [name=selected_text]").forEach((field) => {
    field.value = selectedInArticle;
  });
});

document.querySelectorAll(".report-error").forEach((details) => {
  details.addEventListener("toggle", () => {
    const field = details.querySelector("[name=selected_text]");
    if (details.open && field && selectedInArticle) field.value = selectedInArticle;
  });
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest(".report-error .report-form");
  if (!form || !window.fetch) return;
  event.preventDefault();
  const status = form.querySelector(".report-status");
  const failed = form.closest(".report-error").dataset.failed;
  fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } })
    .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
    .then(({ ok, data }) => {
      status.textContent = ok ? data.message : (data.errors || [failed]).join(" ");
      if (ok) {
        form.reset();
        selectedInArticle = "";
      }
    })
    .catch(() => { status.textContent = failed; });
});
