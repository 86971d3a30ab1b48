"""Responsive images: resized copies of each article image, made once when the file arrives.

``make_renditions(article_image)`` writes a WebP and a JPEG copy at each width of ``WIDTHS``
that the original reaches (and at the original's own width when it is narrower than the widest),
storing width and height so pages size images without opening any file. ``picture(article_image)``
reads the prefetched renditions back as what a ``<picture>`` element needs.

Nothing calls this from ``save()``: ``workflow.article_saved`` does, for images whose
renditions are missing or were made from another file.
"""

import logging
from dataclasses import dataclass
from functools import partial
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import ImageRendition

logger = logging.getLogger(__name__)

WIDTHS = (320, 640, 960, 1280)
ENCODERS = {
    ImageRendition.Format.WEBP: ("WEBP", "webp", {"quality": 80, "method": 4}),
    ImageRendition.Format.JPEG: ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
}


# The longest side each encoder takes: libwebp 16,383 pixels, libjpeg 65,500. A long infographic
# (800×20,000) gets no WebP at the widths where it would be taller than that.
MAX_SIDE = {ImageRendition.Format.WEBP: 16_383, ImageRendition.Format.JPEG: 65_500}


def widths_for(original_width):
    """The widths to make for an image ``original_width`` pixels wide; never wider than it."""
    widths = [width for width in WIDTHS if width < original_width]
    if original_width <= WIDTHS[-1]:
        widths.append(original_width)
    return widths


def sizes_for(original_width, original_height):
    """[(width, height, [formats])] to make for an image of that size, each format within its limits."""
    sizes = []
    for width in widths_for(original_width):
        height = max(1, round(original_height * width / original_width))
        kinds = [kind for kind in ENCODERS if max(width, height) <= MAX_SIDE[kind]]
        if kinds:
            sizes.append((width, height, kinds))
    return sizes


def _open(field):
    field.open("rb")
    try:
        image = Image.open(field)
        image.load()
    finally:
        field.close()
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    return image


def _encode(image, kind):
    pil_format, _suffix, options = ENCODERS[kind]
    if pil_format == "JPEG" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    buffer = BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def is_stale(article_image):
    """True if the image has a file and its renditions are missing or were made from another file."""
    if not article_image.image:
        return bool(article_image.renditions.all())
    renditions = article_image.renditions.all()
    return not renditions or any(r.source != article_image.image.name for r in renditions)


def delete_renditions(article_image):
    """Delete the image's renditions. Their files go once that is committed: until then readers are
    still shown them, and a rollback (a save refused after this) brings back rows whose files exist."""
    for rendition in article_image.renditions.all():
        storage, name = rendition.file.storage, rendition.file.name
        if name:
            transaction.on_commit(partial(storage.delete, name), robust=True)
    article_image.renditions.all().delete()


@transaction.atomic
def make_renditions(article_image):
    """(Re)make the renditions of one saved ``ArticleImage``; returns them, widest last.

    An image Pillow cannot read gets none (the page then shows the original file).
    """
    delete_renditions(article_image)
    if not article_image.image:
        return []
    try:
        original = _open(article_image.image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        logger.warning("No renditions for %s: %s", article_image.image.name, error)
        return []
    renditions = []
    for width, height, kinds in sizes_for(original.width, original.height):
        resized = original if width == original.width else original.resize((width, height), Image.Resampling.LANCZOS)
        for kind in kinds:
            try:
                encoded = _encode(resized, kind)
            except (OSError, ValueError) as error:  # a limit of an encoder not foreseen: the others still serve
                logger.warning("No %s rendition %s px wide for %s: %s", kind, width, article_image.image.name, error)
                continue
            rendition = ImageRendition(
                image=article_image, format=kind, width=width, height=height, source=article_image.image.name
            )
            rendition.file.save(f"{width}.{ENCODERS[kind][1]}", ContentFile(encoded), save=False)
            renditions.append(rendition)
    ImageRendition.objects.bulk_create(renditions)
    # The caller's prefetched renditions are out of date now.
    getattr(article_image, "_prefetched_objects_cache", {}).pop("renditions", None)
    return renditions


@dataclass(frozen=True)
class Picture:
    """What a ``<picture>`` element needs: both srcsets, a fallback, and the intrinsic size."""

    webp_srcset: str
    jpeg_srcset: str
    src: str
    largest_src: str
    width: int
    height: int


def picture(article_image, fallback_width=640):
    """The ``Picture`` of an image, from its (prefetched) renditions; None if it has none."""
    renditions = [r for r in article_image.renditions.all() if r.source == article_image.image.name]
    if not renditions:
        return None
    by_kind = {kind: sorted((r for r in renditions if r.format == kind), key=lambda r: r.width) for kind in ENCODERS}
    jpegs, webps = by_kind[ImageRendition.Format.JPEG], by_kind[ImageRendition.Format.WEBP]
    if not jpegs:
        return None
    widest = jpegs[-1]
    fallback = next((r for r in jpegs if r.width >= fallback_width), widest)
    return Picture(
        webp_srcset=", ".join(f"{r.file.url} {r.width}w" for r in webps),
        jpeg_srcset=", ".join(f"{r.file.url} {r.width}w" for r in jpegs),
        src=fallback.file.url,
        largest_src=widest.file.url,
        width=widest.width,
        height=widest.height,
    )


def largest_url(article_image):
    """The URL of the widest JPEG rendition, else of the original file (for og:image and JSON-LD)."""
    shown = picture(article_image)
    if shown is not None:
        return shown.largest_src
    return article_image.image.url if article_image.image else None
