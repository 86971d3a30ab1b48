// Rich-text editor extension: places one of the article's captioned images in the body, or uploads a
// new one and places it in one step, before the article is ever saved.
// The body stores only a marker, <figure data-image="ID"></figure>; the page renders the image, its
// caption and alt text from the ArticleImage row (articles/bodies.py body_parts). An image uploaded
// here is kept on the server (articles/admin_editing.py upload, pending_uploads) and named in the body
// by its token, <figure data-pending="TOKEN"></figure>; the form gains an image row carrying its
// reference, and saving the article makes the row and turns the marker into the row's own.
// The picker shows each image's thumbnail with its caption beside it: editing it there edits the row.
import { Node } from "django-prose-editor/editor"

const gettext = window.gettext || ((text) => text)
const interpolate = window.interpolate || ((format, values) => format.replace("%s", values[0]))

const IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value
    else if (name === "className") node.className = value
    else node.setAttribute(name, value)
  }
  node.append(...children)
  return node
}

// The image rows of the form, as the picker offers them: saved ones by id, uploaded ones by token.
function imageRows() {
  const rows = document.querySelectorAll("#images-group .inline-related:not(.empty-form)")
  return [...rows].flatMap((row) => {
    const prefix = `${row.id}-`
    if (row.querySelector(`[name="${prefix}DELETE"]`)?.checked) return []
    const id = row.querySelector(`[name="${prefix}id"]`)?.value
    const kept = row.querySelector(".kept-upload[data-pending]")
    const thumbnail = (kept || row).querySelector("img.article-image-preview, .kept-upload img")?.src ?? ""
    const caption = row.querySelector(`[name="${prefix}caption"]`)
    if (id) return [{ attrs: { image: id, pending: null }, thumbnail, caption, row }]
    if (kept) return [{ attrs: { image: null, pending: kept.dataset.pending }, thumbnail, caption, row }]
    return []
  })
}

function rowOf(attrs) {
  return imageRows().find(
    (row) => (attrs.image && row.attrs.image === String(attrs.image)) || (attrs.pending && row.attrs.pending === attrs.pending),
  )
}

function csrfToken() {
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? ""
}

async function uploadImage(url, file) {
  const body = new FormData()
  body.append("image", file)
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken() },
  })
  let answer = {}
  try {
    answer = await response.json()
  } catch {
    answer = {}
  }
  if (!response.ok) throw new Error(answer.error || interpolate(gettext("The server answered %s."), [response.status]))
  return answer
}

// The picker: thumbnails with their captions (edited in place), and an upload that inserts at once.
function openPicker(editor, options) {
  const title = options.title
  const dialog = element("dialog", { className: "article-image-picker", "aria-label": title })
  const list = element("ul", { className: "picker-images" })
  for (const image of imageRows()) {
    const caption = element("input", { type: "text", value: image.caption?.value ?? "", "aria-label": gettext("Caption") })
    caption.addEventListener("input", () => {
      if (image.caption) image.caption.value = caption.value
    })
    const choose = element("button", { type: "button", className: "picker-choose" }, [
      element("img", { src: image.thumbnail, alt: "" }),
      element("span", { text: gettext("Insert") }),
    ])
    choose.addEventListener("click", () => {
      dialog.close()
      editor.chain().focus().insertContent({ type: "articleFigure", attrs: image.attrs }).run()
    })
    list.append(element("li", {}, [choose, element("label", {}, [gettext("Caption"), caption])]))
  }
  const file = element("input", { type: "file", accept: IMAGE_TYPES, name: "picker-file" })
  const caption = element("input", { type: "text", name: "picker-caption" })
  const altText = element("input", { type: "text", name: "picker-alt" })
  const status = element("p", { className: "picker-status", role: "status" })
  const upload = element("button", { type: "button", className: "button default picker-upload-button" }, [
    gettext("Upload and insert"),
  ])
  upload.addEventListener("click", async () => {
    if (!file.files.length || !altText.value.trim()) {
      status.textContent = gettext("Choose an image file and write its alternative text.")
      return
    }
    upload.disabled = true
    status.textContent = gettext("Uploading…")
    try {
      const answer = await uploadImage(options.uploadUrl, file.files[0])
      window.NewsroomArticleForm.addUploadedRow(answer, caption.value, altText.value.trim())
      dialog.close()
      editor.chain().focus().insertContent({ type: "articleFigure", attrs: { image: null, pending: answer.token } }).run()
    } catch (error) {
      status.textContent = interpolate(gettext("The upload failed: %s"), [error.message])
    } finally {
      upload.disabled = false
    }
  })
  const close = element("button", { type: "button", className: "button picker-close" }, [gettext("Close")])
  close.addEventListener("click", () => dialog.close())
  dialog.append(
    element("h2", { text: title }),
    list.children.length ? list : element("p", { text: gettext("This article has no images yet: upload one below.") }),
    element("fieldset", { className: "picker-upload" }, [
      element("legend", { text: gettext("Upload a new image and insert it") }),
      element("label", {}, [gettext("Image file"), file]),
      element("label", {}, [gettext("Caption"), caption]),
      element("label", {}, [gettext("Alternative text (required)"), altText]),
      upload,
      status,
    ]),
    close,
  )
  dialog.addEventListener("close", () => dialog.remove())
  document.body.append(dialog)
  dialog.showModal()
  return dialog
}

export const ArticleFigure = Node.create({
  name: "articleFigure",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions() {
    return { images: [], title: "Insert an image", empty: "", missing: "Image not found", uploadUrl: "" }
  },

  addAttributes() {
    return {
      image: {
        default: null,
        parseHTML: (node) => node.getAttribute("data-image"),
        renderHTML: (attributes) => (attributes.image ? { "data-image": attributes.image } : {}),
      },
      pending: {
        default: null,
        parseHTML: (node) => node.getAttribute("data-pending"),
        renderHTML: (attributes) => (attributes.pending && !attributes.image ? { "data-pending": attributes.pending } : {}),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-image]" }, { tag: "figure[data-pending]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes]
  },

  addNodeView() {
    return ({ node }) => {
      const dom = element("figure", { className: "article-figure-marker", contenteditable: "false" })
      const saved = this.options.images.find((image) => String(image.id) === String(node.attrs.image))
      const row = rowOf(node.attrs)
      const url = row?.thumbnail || saved?.url
      if (url) dom.append(element("img", { src: url, alt: "" }))
      const label = row?.caption?.value || saved?.label || `${this.options.missing} #${node.attrs.image ?? ""}`
      dom.append(element("figcaption", { text: label }))
      return { dom }
    }
  },

  addCommands() {
    return {
      insertArticleFigure:
        (id) =>
        ({ commands }) =>
          commands.insertContent({ type: this.name, attrs: { image: String(id), pending: null } }),
    }
  },

  addMenuItems({ buttons, menu }) {
    const options = this.options
    menu.defineItem({
      name: "articleFigure",
      groups: "nodes",
      command: (editor) => openPicker(editor, options),
      button: buttons.material("add_photo_alternate", options.title),
      active: (editor) => editor.isActive("articleFigure"),
    })
  },
})
