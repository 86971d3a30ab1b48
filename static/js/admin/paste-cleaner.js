// Rich-text editor extension: what is pasted from Word, WPS or the WeChat 公众号 editor is cleaned on the
// server (articles/pasted.py, then the sanitiser a save applies: POST to the admin's paste URL) and the
// result is inserted, so paragraphs, headings, lists, bold, links and tables stay and their styles,
// list markers typed out as text and tracking attributes go. A paste from this editor itself
// (ProseMirror marks it with data-pm-slice) and plain text are left to the editor.
import { Extension, Plugin } from "django-prose-editor/editor"

function csrfToken(element) {
  const form = element.closest("form")
  return form?.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? ""
}

export async function cleanOnServer(url, html, element) {
  const body = new FormData()
  body.append("html", html)
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(element) },
  })
  if (!response.ok) throw new Error(`paste ${response.status}`)
  return (await response.json()).html
}

export const PasteCleaner = Extension.create({
  name: "pasteCleaner",

  addOptions() {
    return { url: "" }
  },

  addProseMirrorPlugins() {
    const { url } = this.options
    const editor = this.editor
    return [
      new Plugin({
        props: {
          handlePaste(view, event) {
            const html = event.clipboardData?.getData("text/html") ?? ""
            if (!url || !html.trim() || html.includes("data-pm-slice")) return false
            event.preventDefault()
            const element = editor.options.element
            element.dataset.pasting = "1"
            cleanOnServer(url, html, element)
              .catch(() => html) // the server refused (a lost login): the editor's own parsing, and the save cleans
              .then((clean) => {
                editor.chain().focus().insertContent(clean, { parseOptions: { preserveWhitespace: false } }).run()
              })
              .finally(() => {
                delete element.dataset.pasting
              })
            return true
          },
        },
      }),
    ]
  },
})
