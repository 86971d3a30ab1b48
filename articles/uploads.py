"""Checks every uploaded image before anything is stored, and cleans it.

``clean_image`` accepts real JPEG, PNG, WebP and GIF files within the size and pixel limits,
applies the EXIF orientation to the pixels and removes EXIF location data. Anything else
raises ``ValidationError`` with a message that names the problem; the admin form shows it and
saves nothing.
"""

import warnings
from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Pillow's format name → the extensions a file of that format may carry.
FORMATS = {"JPEG": {".jpg", ".jpeg"}, "PNG": {".png"}, "WEBP": {".webp"}, "GIF": {".gif"}}
EXTENSIONS = set().union(*FORMATS.values())
ORIENTATION, GPS_IFD = 0x0112, 0x8825


def _reject(message, code):
    raise ValidationError(message, code=code)


def _looks_like_svg(head):
    text = head.lstrip().lower()
    return text.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in text[:1024]


def _open(data):
    with warnings.catch_warnings():
        # Pillow warns (then fails) on images past its own bomb limit: make both an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _reject(_("The image has too many pixels (a decompression bomb?)."), "bomb")
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            if _has_image_signature(data):
                _reject(_("The image file is truncated or damaged."), "damaged")
            _reject(_("The file is not an image in JPEG, PNG, WebP or GIF format."), "not_image")
    return image


def _has_image_signature(data):
    """The first bytes of a JPEG, PNG, WebP or GIF file, whatever follows them."""
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )


def _check_pixels(image):
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    if width * height > MAX_PIXELS or width * height * frames > 4 * MAX_PIXELS:
        _reject(
            _("The image is %(width)s×%(height)s pixels; the limit is %(limit)s million pixels.")
            % {"width": width, "height": height, "limit": MAX_PIXELS // 1_000_000},
            "too_many_pixels",
        )


def _decode_all(data):
    """Decode every frame: a truncated or damaged file fails here."""
    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
        with Image.open(BytesIO(data)) as image:
            for frame in range(getattr(image, "n_frames", 1)):
                image.seek(frame)
                image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The image file is truncated or damaged."), code="damaged") from exc


def _cleaned(image, data):
    """Apply the EXIF orientation and drop location data; returns the bytes to store."""
    fmt, exif = image.format, image.getexif()
    rotated = exif.get(ORIENTATION, 1) not in (0, 1)
    located = GPS_IFD in exif
    if not rotated and not located:
        return data  # nothing to change: keep the photographer's file as it is
    if getattr(image, "n_frames", 1) > 1:
        frames = []
        for frame in range(image.n_frames):
            image.seek(frame)
            frames.append(image.copy())
        image, extra = frames[0], {"save_all": True, "append_images": frames[1:]}
    else:
        image, extra = ImageOps.exif_transpose(image) or image, {}
    exif = image.getexif()
    exif.pop(GPS_IFD, None)
    exif.pop(ORIENTATION, None)
    options = {"exif": exif.tobytes(), **extra}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = 92
    output = BytesIO()
    image.save(output, format=fmt, **options)
    return output.getvalue()


def clean_image(upload):
    """Validate an uploaded file and return a cleaned ``ContentFile`` with the same name."""
    name = PurePath(upload.name or "image").name
    extension = PurePath(name).suffix.lower()
    if upload.size is not None and upload.size > MAX_BYTES:
        _reject(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024},
            "too_large",
        )
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_BYTES:
        _reject(_("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // 1024 // 1024}, "too_large")
    if extension == ".svg" or _looks_like_svg(data[:2048]):
        _reject(_("SVG images are not accepted: they can carry scripts. Upload a JPEG, PNG, WebP or GIF."), "svg")
    if extension not in EXTENSIONS:
        _reject(
            _("“%(name)s” does not end in .jpg, .jpeg, .png, .webp or .gif.") % {"name": name},
            "extension",
        )
    image = _open(data)
    if image.format not in FORMATS:
        _reject(_("The file is not an image in JPEG, PNG, WebP or GIF format."), "not_image")
    if extension not in FORMATS[image.format]:
        _reject(
            _("“%(name)s” is named like a %(claimed)s file but it is a %(actual)s image.")
            % {"name": name, "claimed": extension.lstrip(".").upper(), "actual": image.format},
            "extension_mismatch",
        )
    _check_pixels(image)
    _decode_all(data)
    with Image.open(BytesIO(data)) as image:
        cleaned = _cleaned(image, data)
    return ContentFile(cleaned, name=name)


# The site's logo is a drawing (SVG): only shapes, paths, text and gradients, nothing that runs or loads.
SVG_NS = "{http://www.w3.org/2000/svg}"
LOGO_MAX_BYTES = 200 * 1024
LOGO_ELEMENTS = {
    *("svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon"),
    *("text", "tspan", "linearGradient", "radialGradient", "stop", "clipPath", "mask", "symbol", "use"),
}


def clean_logo(upload):
    """The uploaded logo if it is an SVG drawing that cannot run a script or load anything (a script,
    an event attribute, a style sheet, a link outside the file, an entity); else a ``ValidationError``."""
    import xml.etree.ElementTree as ET

    data = upload.read(LOGO_MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > LOGO_MAX_BYTES:
        _reject(_("The logo may be at most 200 KB."), "too_large")
    if b"<!" in data.replace(b"<!--", b""):  # a DOCTYPE, an entity or a CDATA section
        _reject(_("The logo may not declare a document type or entities."), "doctype")
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        _reject(_("The logo is not an SVG file."), "not_svg")
    if root.tag != SVG_NS + "svg":
        _reject(_("The logo is not an SVG file."), "not_svg")
    for element in root.iter():
        name = element.tag.removeprefix(SVG_NS)
        if not isinstance(element.tag, str) or name not in LOGO_ELEMENTS:
            _reject(_("The logo may hold only shapes, text and gradients, not “%(name)s”.") % {"name": name}, "element")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            outside = local == "href" and not value.startswith("#")
            if local.startswith("on") or outside or "url(" in value.replace("url(#", "") or local == "style":
                _reject(_("The logo may not hold scripts, styles or links to other files."), "unsafe")
    return upload
