// The rich-text editor's toolbar in Chinese. django-prose-editor titles its buttons in English
// ("bold", "unordered list", "heading 2") and draws its icons as Material Icons ligatures: the button
// holds the word "format_list_bulleted", which screen readers read out, copying picks up, and the page
// shows as a word while the icon font loads or if it fails. This Menu replaces the editor's own
// (settings.DJANGO_PROSE_EDITOR_EXTENSIONS loads it with every editor): each button gets a Chinese
// title and aria-label, through gettext and the admin's JavaScript catalogue
// (locale/zh_Hans/LC_MESSAGES/djangojs.po), and its icon as the font's code point for that ligature,
// hidden from screen readers. The editor's dialogs call gettext themselves.
import { Menu as EditorMenu } from "django-prose-editor/editor"

const gettext = window.gettext || ((text) => text)
const interpolate = window.interpolate || ((format, values) => format.replace("%s", values[0]))

// The Material Icons code points of the ligatures the toolbar uses (the font's own "codepoints" list).
export const ICONS = {
  add_photo_alternate: "\ue43e",
  call_merge: "\ue0b3",
  call_split: "\ue0b6",
  code: "\ue86f",
  format_bold: "\ue238",
  format_italic: "\ue23f",
  format_list_bulleted: "\ue241",
  format_list_numbered: "\ue242",
  format_quote: "\ue244",
  format_strikethrough: "\ue246",
  format_underlined: "\ue249",
  grid_on: "\ue3ec",
  fullscreen: "\ue5d0",
  fullscreen_exit: "\ue5d1",
  horizontal_rule: "\uf108",
  image: "\ue3f4",
  insert_link: "\ue250",
  link_off: "\ue16f",
  notes: "\ue26c",
  question_mark: "\ueb8b",
  redo: "\ue15a",
  title: "\ue264",
  tune: "\ue429",
  undo: "\ue166",
}

const HEADING = /^heading (\d)$/i

function chineseTitle(english) {
  const heading = HEADING.exec(english)
  if (heading) {
    const format = english[0] === "H" ? gettext("Heading %s") : gettext("heading %s")
    return interpolate(format, [heading[1]])
  }
  return english ? gettext(english) : gettext("Block type")
}

function iconOf(name) {
  const icon = document.createElement("span")
  icon.className = "prose-menubar__icon"
  icon.setAttribute("aria-hidden", "true")
  icon.textContent = ICONS[name] ?? ""
  return icon
}

// A toolbar button, in Chinese (done once: the dropdown shows copies of buttons already done).
export function chineseButton(button) {
  if (button.dataset.chinese) return button
  button.dataset.chinese = "1"
  const title = chineseTitle(button.getAttribute("title") || "")
  button.title = title
  button.setAttribute("aria-label", title)
  if (button.classList.contains("material-icons")) {
    const name = button.textContent.trim()
    button.textContent = ""
    button.append(iconOf(name))
  }
  return button
}

// An entry of the block type dropdown ("Heading 2", "Paragraph").
function chineseOption(option) {
  if (option) option.textContent = chineseTitle(option.textContent)
  return option
}

export const Menu = EditorMenu.extend({
  addStorage() {
    const storage = this.parent()
    const { buttons, menu } = storage
    storage.buttons = {
      ...buttons,
      text: (...args) => chineseButton(buttons.text(...args)),
      material: (...args) => chineseButton(buttons.material(...args)),
      svg: (...args) => chineseButton(buttons.svg(...args)),
      heading: (...args) => chineseButton(buttons.heading(...args)),
    }
    const defineItem = menu.defineItem
    menu.defineItem = (definition) => defineItem({ ...definition, option: chineseOption(definition.option) })
    return storage
  },

  onCreate(...args) {
    this.parent?.(...args)
    // The dropdown makes its "unknown block type" button with the editor's own helpers: done here.
    const toolbar = this.storage.dom
    const done = () => {
      for (const button of toolbar.querySelectorAll("button.material-icons")) chineseButton(button)
    }
    done()
    new MutationObserver(done).observe(toolbar, { childList: true, subtree: true })
  },
})

// The table dialog offers "Yes" and "No" as the options of a list without passing them through gettext:
// shown in Chinese, their values (which the editor reads) left as they are.
function chineseOptions(root) {
  for (const option of root.querySelectorAll?.("dialog.prose-editor-dialog option") ?? []) {
    if (option.dataset.chinese) continue
    option.dataset.chinese = "1"
    option.value = option.value
    option.textContent = gettext(option.textContent)
  }
}
new MutationObserver((changes) => {
  for (const change of changes) for (const node of change.addedNodes) if (node.nodeType === 1) chineseOptions(node.parentNode ?? node)
}).observe(document.documentElement, { childList: true, subtree: true })
