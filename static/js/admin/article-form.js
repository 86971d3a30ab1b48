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

  const gettext = window.gettext || ((text) => text)
  const interpolate = window.interpolate || ((format, values) => format.replace("%s", values[0]))
  const MANAGEMENT = /-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/

  // A new image row holding an upload kept on the server (as after a failed save, forms.KeptImageInput):
  // made by the editor's image picker (article-figure.js), and again when a draft is restored.
  function addUploadedRow(upload, caption, altText, text = null) {
    const group = document.querySelector("#images-group")
    group.querySelector(".add-row a").click()
    const rows = group.querySelectorAll(".inline-related:not(.empty-form)")
    const row = rows[rows.length - 1]
    const prefix = `${row.id}-`
    row.querySelector(`[name="${prefix}caption"]`).value = caption
    row.querySelector(`[name="${prefix}alt_text"]`).value = altText
    const hidden = Object.assign(document.createElement("input"), {
      type: "hidden",
      name: `${prefix}image-kept`,
      value: upload.reference,
    })
    const note = document.createElement("p")
    note.className = "kept-upload"
    note.dataset.pending = upload.token
    const thumbnail = Object.assign(document.createElement("img"), { src: upload.thumbnail, alt: "" })
    thumbnail.className = "article-image-preview"
    note.append(thumbnail, text ?? interpolate(gettext("Uploaded: %s. Saving the article attaches it."), [upload.name]))
    row.querySelector(`[name="${prefix}image"]`).after(hidden, note)
    return row
  }
  window.NewsroomArticleForm = { addUploadedRow }

  // The uploads the form's new image rows hold, so that a restored draft brings them back too.
  function uploadsOf(form) {
    return [...form.querySelectorAll("#images-group .inline-related:not(.empty-form)")].flatMap((row) => {
      const kept = row.querySelector(`[name="${row.id}-image-kept"]`)
      const note = row.querySelector(".kept-upload[data-pending]")
      if (!kept || !note || row.querySelector(`[name="${row.id}-id"]`)?.value) return []
      const thumbnail = note.querySelector("img")?.src ?? ""
      return [{ prefix: `${row.id}-`, reference: kept.value, token: note.dataset.pending, thumbnail, text: note.textContent }]
    })
  }

  function fieldsOf(form) {
    const fields = []
    for (const [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") continue
      fields.push([name, value])
    }
    return fields
  }

  function restore(form, draft, editors) {
    const byName = new Map()
    for (const [name, value] of draft.fields) byName.set(name, [...(byName.get(name) || []), value])
    const present = new Set([...form.querySelectorAll("input[name$='-image-kept']")].map((input) => input.value))
    for (const upload of draft.uploads ?? []) {
      if (present.has(upload.reference)) continue
      const value = (name) => byName.get(upload.prefix + name)?.[0] ?? ""
      addUploadedRow(upload, value("caption"), value("alt_text"), upload.text)
    }
    for (const control of form.elements) {
      if (!control.name || control.type === "file" || control.name === "csrfmiddlewaretoken") continue
      if (MANAGEMENT.test(control.name)) continue // the rows the page has, not those the draft had
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
      window.localStorage.setItem(key, JSON.stringify({ savedAt: new Date().toISOString(), fields: fieldsOf(form), uploads: uploadsOf(form) }))
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
      restore(form, draft, editors)
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
