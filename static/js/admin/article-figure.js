// Rich-text editor extension: places one of the article's captioned images in the body.
// The body stores only a marker, <figure data-image="ID"></figure>; the page renders the image,
// its caption and alt text from the ArticleImage row (articles/publishing.py body_parts).
import { Node, updateAttrsDialog } from "django-prose-editor/editor"

const labelOf = (images, id) => images.find((image) => String(image.id) === String(id))

export const ArticleFigure = Node.create({
  name: "articleFigure",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions() {
    return { images: [], title: "Insert an image", empty: "No images yet.", missing: "Image not found" }
  },

  addAttributes() {
    return {
      image: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-image"),
        renderHTML: (attributes) => ({ "data-image": attributes.image }),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-image]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes]
  },

  addNodeView() {
    return ({ node }) => {
      const dom = document.createElement("figure")
      dom.className = "article-figure-marker"
      dom.contentEditable = "false"
      const image = labelOf(this.options.images, node.attrs.image)
      if (image?.url) {
        const img = document.createElement("img")
        img.src = image.url
        img.alt = ""
        dom.append(img)
      }
      const caption = document.createElement("figcaption")
      caption.textContent = image ? image.label : `${this.options.missing} #${node.attrs.image}`
      dom.append(caption)
      return { dom }
    }
  },

  addCommands() {
    return {
      insertArticleFigure:
        (id) =>
        ({ commands }) =>
          commands.insertContent({ type: this.name, attrs: { image: String(id) } }),
    }
  },

  addMenuItems({ buttons, menu }) {
    const { images, title, empty } = this.options
    menu.defineItem({
      name: "articleFigure",
      groups: "nodes",
      command: async (editor) => {
        if (!images.length) {
          window.alert(empty)
          return
        }
        const labels = images.map((image) => image.label)
        const chosen = await updateAttrsDialog(
          { image: { title, enum: labels } },
          { title, submitText: title },
        )(editor, { image: labels[0] })
        const image = chosen && images.find((item) => item.label === chosen.image)
        if (image) editor.chain().focus().insertArticleFigure(image.id).run()
      },
      button: buttons.material("add_photo_alternate", title),
      active: (editor) => editor.isActive("articleFigure"),
    })
  },
})
