// The article form: autosave of unsaved edits in this browser, and the preview of the form beside it.
//
// Autosave: once the editor types, the form's fields (the rich text included, never files or the
// security token) are kept in localStorage under a key of this user and this form, a moment after each
// change and when the page is hidden or submitted. A login that expired, a security token refused
// (which sends the editor to log in again), a closed tab or a crash loses nothing: back on the form, a
// note offers to restore what was kept (恢复) or to forget it (丢弃). A save that succeeded forgets it.
//
// Preview: the button "预览当前内容" posts the whole form to the preview view (articles/admin_editing.py),
// which saves nothing, into a frame beside the form, at a phone's width or a desktop's.
;(() => {
  const PREFIX = "newsroom-draft:"
  const SUBMITTED = "newsroom-draft-submitted"
  const PHONE_WIDTH = 375
  const DESKTOP_WIDTH = 1280
  const editors = new Map() // textarea → its rich-text editor
  document.addEventListener("prose-editor:ready", (event) => editors.set(event.detail.textarea, event.detail.editor))

  function read(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null")
    } catch {
      return null
    }
  }

  // After a save that succeeded (any admin page with a success message and no error), forget the
  // draft of the form that was submitted.
  function forgetSubmitted() {
    const key = window.sessionStorage.getItem(SUBMITTED)
    if (!key) return
    const saved = document.querySelector(".messagelist .success") && !document.querySelector(".errornote")
    if (saved) window.localStorage.removeItem(key)
    if (saved || !document.querySelector("#autosave-offer")) window.sessionStorage.removeItem(SUBMITTED)
  }

  function fieldsOf(form) {
    const fields = []
    for (const [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") continue
      fields.push([name, value])
    }
    return fields
  }

  function restore(form, fields, editors) {
    const byName = new Map()
    for (const [name, value] of fields) byName.set(name, [...(byName.get(name) || []), value])
    for (const control of form.elements) {
      if (!control.name || control.type === "file" || control.name === "csrfmiddlewaretoken") continue
      if (!byName.has(control.name)) {
        if (control.type === "checkbox") control.checked = false
        continue
      }
      const values = byName.get(control.name)
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = values.includes(control.value)
      } else if (control.tagName === "SELECT") {
        for (const value of values) {
          if (![...control.options].some((option) => option.value === value) && value.startsWith("new:")) {
            control.append(new Option(value.slice(4), value))
          }
        }
        for (const option of control.options) option.selected = values.includes(option.value)
      } else if (!["submit", "button"].includes(control.type)) {
        control.value = values[0]
      }
      control.dispatchEvent(new Event("change", { bubbles: true }))
      const editor = editors.get(control)
      if (editor) editor.commands.setContent(values[0], { emitUpdate: false })
    }
  }

  function autosave(form, offer) {
    const key = offer.dataset.key
    let dirty = false
    let timer = null

    function save() {
      clearTimeout(timer)
      timer = null
      if (!dirty) return
      window.localStorage.setItem(key, JSON.stringify({ savedAt: new Date().toISOString(), fields: fieldsOf(form) }))
    }
    function later() {
      if (!dirty) return
      clearTimeout(timer)
      timer = setTimeout(save, 500)
    }
    const touched = (event) => {
      if (event.isTrusted) dirty = true
      later()
    }
    for (const type of ["input", "change", "paste", "drop", "keyup"]) form.addEventListener(type, touched)
    // The rich-text editor copies itself into its textarea (an event of its own) after each change.
    form.addEventListener("input", later)
    document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && save())
    window.addEventListener("pagehide", save)
    form.addEventListener("submit", (event) => {
      if (event.submitter?.classList.contains("preview-now")) return
      save()
      window.sessionStorage.setItem(SUBMITTED, key)
    })

    const draft = read(key)
    const shownAgain = document.querySelector(".errornote") // the form already holds what was posted
    if (!draft || shownAgain) return
    const time = offer.querySelector("time")
    const when = new Date(draft.savedAt)
    time.dateTime = draft.savedAt
    time.textContent = when.toLocaleString("zh-CN", { hour12: false })
    offer.hidden = false
    offer.querySelector("[data-autosave=restore]").addEventListener("click", () => {
      restore(form, draft.fields, editors)
      offer.hidden = true
      dirty = true
      save()
    })
    offer.querySelector("[data-autosave=discard]").addEventListener("click", () => {
      window.localStorage.removeItem(key)
      offer.hidden = true
    })
  }

  function preview(panel) {
    const frame = panel.querySelector("iframe")
    const holder = panel.querySelector(".form-preview-frame")
    function fit() {
      const desktop = panel.dataset.width === "desktop"
      const width = desktop ? DESKTOP_WIDTH : PHONE_WIDTH
      const scale = Math.min(1, (holder.clientWidth - 2) / width)
      frame.style.width = `${width}px`
      frame.style.height = `${Math.round(holder.clientHeight / scale)}px`
      frame.style.transform = scale < 1 ? `scale(${scale})` : ""
      for (const button of panel.querySelectorAll("[data-preview-width]")) {
        button.setAttribute("aria-pressed", String(button.dataset.previewWidth === panel.dataset.width))
      }
    }
    for (const button of document.querySelectorAll("button.preview-now")) {
      button.addEventListener("click", () => {
        panel.hidden = false
        document.body.classList.add("with-form-preview")
        fit()
      })
    }
    for (const button of panel.querySelectorAll("[data-preview-width]")) {
      button.addEventListener("click", () => {
        panel.dataset.width = button.dataset.previewWidth
        fit()
      })
    }
    panel.querySelector("[data-preview-close]").addEventListener("click", () => {
      panel.hidden = true
      document.body.classList.remove("with-form-preview")
    })
    window.addEventListener("resize", () => panel.hidden || fit())
  }

  function start() {
    forgetSubmitted()
    const offer = document.querySelector("#autosave-offer")
    const form = offer?.closest("form")
    if (offer && form) autosave(form, offer)
    const panel = document.querySelector("#form-preview")
    if (panel) preview(panel)
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start)
  else start()
})()
