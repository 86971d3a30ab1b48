"""An article's press kit: its original images with caption, credit and copyright line, a ZIP of
them with the release as text, and a PDF of the release laid out like the page.

The originals are the uploaded files as ``articles.uploads`` stored them: full resolution, EXIF
orientation applied and EXIF location removed before anything was stored, so the kit hands out
exactly what the page links to and nothing of where a photographer stood.

Both files are made once per version of what they show (``article:<id>`` and ``site``: the copyright
line and notice come from site settings) and kept in the media storage under a name no one can guess
(an HMAC of the versions with the secret key), beside nothing else: an article's older kits are
deleted when a new one is kept. They are written to a temporary file, never held in memory (a kit of
forty 20 MB photos is 800 MB), and streamed from storage to each reader. The view reads the versions
before it reads the article, so a change that lands in between is never kept under the older version.
"""

import hashlib
import hmac
import re
import shutil
import tempfile
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import bodies, search, versions
from ..models import ArticleContact, ArticleImage, ArticleUnit, CopyrightNotice, SiteSettings

FOLDER = "presskits"
ZIP, PDF = "zip", "pdf"
CHUNK = 1024 * 1024
# Characters no file name may hold on Windows, macOS or Linux, and control characters.
UNSAFE_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
RELEASE_NAME = "新闻稿.txt"


def safe_name(text, limit=60):
    """``text`` as part of a file name on any system: no path separators or reserved characters, no
    leading dots, at most ``limit`` characters. Chinese stays Chinese (ZIP names are UTF-8)."""
    cleaned = UNSAFE_RE.sub(" ", text).strip().lstrip(".").strip()
    return re.sub(r"\s+", " ", cleaned)[:limit].strip() or _("image")


def kit_images(article):
    """The article's images that have a file, in their order (from a prefetch when there is one)."""
    return [image for image in article.images.all() if image.image]


def image_file_name(image):
    """An image's file name for people: its caption (or name), with the original's extension."""
    return f"{safe_name(image.caption or image.name or image.alt_text)}{PurePosixPath(image.image.name).suffix.lower()}"


def member_names(images):
    """The name of each image in the ZIP: its number and its file name (``image_file_name``)."""
    return [f"{number:02d}-{image_file_name(image)}" for number, image in enumerate(images, start=1)]


def download_name(article, extension):
    """The file name a reader's browser saves the ZIP or PDF under: the article's title."""
    return f"{safe_name(article.title, limit=80)}.{extension}"


def context(article, request):
    """What the text, the PDF and the page's 下载 section show: the article with its images, units,
    media contacts (in full: the kit is for journalists to keep), notice."""
    prefetch_related_objects(
        [article],
        Prefetch("images", queryset=ArticleImage.objects.prefetch_related("renditions")),
        Prefetch("unit_links", queryset=ArticleUnit.objects.select_related("unit")),
        Prefetch("contact_links", queryset=ArticleContact.objects.select_related("contact__unit")),
    )
    site = SiteSettings.load()
    return {
        "article": article,
        "site": site,
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "body_parts": bodies.body_parts(article, article.images.all()),
        "body_text": search.plain_text(article.body),
        "notice": article.copyright_notice or CopyrightNotice.objects.filter(is_default=True).first(),
        "kit": entries(article, site),
        "contacts": [link.contact for link in article.contact_links.all()],
    }


def entries(article, site):
    """[(name in the ZIP, image, copyright line)] of the article's images with a file."""
    images = kit_images(article)
    return [
        (name, image, image_copyright_line(image, site, article))
        for name, image in zip(member_names(images), images, strict=True)
    ]


def image_copyright_line(image, site, article=None):
    """An image's copyright line: the year its article was published (``article``, else the image's)."""
    article = article or image.article
    year = timezone.localtime(article.publish_at).year if article.publish_at else None
    return image.copyright_line(site.short_name, year)


def release_text(kit_context):
    """The release as plain text (UTF-8 with Windows line ends, which every editor opens)."""
    text = render_to_string("pressroom/release.txt", kit_context)
    lines = [line.rstrip() for line in text.splitlines()]
    return "\r\n".join(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip().splitlines()) + "\r\n"


def zip_time(moment):
    """The time a ZIP member carries: local time, no earlier than 1980 (the format's epoch)."""
    return max(timezone.localtime(moment).timetuple()[:6], (1980, 1, 1, 0, 0, 0))


def write_zip(kit_context, out):
    """Write the ZIP of the kit to ``out`` (a file, seekable or not), an image at a time in chunks.
    Photos are stored as they are (they are compressed already); the text is deflated."""
    with zipfile.ZipFile(out, "w") as archive:
        for name, image, _copyright in kit_context["kit"]:
            info = zipfile.ZipInfo(name, date_time=zip_time(kit_context["article"].publish_at))
            info.compress_type = zipfile.ZIP_STORED
            with image.image.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, CHUNK)
            image.image.close()
        archive.writestr(RELEASE_NAME, release_text(kit_context).encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)


def local_fetcher():
    """WeasyPrint's URL fetcher for the PDF: media files from the storage, static files from the
    finders, and nothing from the network (a page could otherwise make the server fetch any address)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = re.sub(r"^https?://[^/]+", "", url)
            if path.startswith(settings.MEDIA_URL):
                with default_storage.open(path.removeprefix(settings.MEDIA_URL), "rb") as file:
                    return URLFetcherResponse(url, file.read())
            found = path.startswith(settings.STATIC_URL) and finders.find(path.removeprefix(settings.STATIC_URL))
            if found:
                with open(found, "rb") as file:
                    return URLFetcherResponse(url, file.read())
            raise ValueError(f"not fetched: {url}")

    return LocalFetcher()


def write_pdf(kit_context, out):
    """Write the PDF of the release to ``out``: the page's layout on A4, fonts (Noto CJK) embedded."""
    from PIL import ImageFile

    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    import weasyprint  # imported here: loading pango takes a while, and only this needs it

    # Importing WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process, after which
    # the admin accepted a cut-off photo; put it back.
    ImageFile.LOAD_TRUNCATED_IMAGES = truncated

    html = render_to_string("pressroom/release_pdf.html", kit_context)
    weasyprint.HTML(string=html, base_url="http://localhost/", url_fetcher=local_fetcher()).write_pdf(out)


WRITERS = {ZIP: write_zip, PDF: write_pdf}


def version_token(pk, kind, host, preview=False):
    """What names a kit file: an HMAC of the versions it shows and the host its addresses name. Read
    before the article is. A preview's kit (under embargo it says 禁发至) is never the public one."""
    scopes = [versions.article(pk), versions.SITE]
    message = f"{settings.RELEASE}:{pk}:{kind}:{host}:{versions.current(scopes)}:{'preview' if preview else ''}"
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()[:40]


def stored_name(pk, kind, token):
    return f"{FOLDER}/{pk}/{token}.{kind}"


def kept_file(pk, kind, token, load_context):
    """The name of the kit file for this version, made and kept first if there is none. Older files of
    the article are deleted then (a reader streaming one keeps reading it: an open file outlives its name)."""
    name = stored_name(pk, kind, token)
    if default_storage.exists(name):
        return name
    with tempfile.TemporaryFile() as temporary:
        WRITERS[kind](load_context(), temporary)
        temporary.seek(0)
        name = default_storage.save(name, File(temporary, name=name))
    folder = f"{FOLDER}/{pk}"
    for other in default_storage.listdir(folder)[1]:
        if other.endswith(f".{kind}") and not other.startswith(token):
            default_storage.delete(f"{folder}/{other}")
    return name


def forget(pks):
    """Delete the kept kit files of these articles (purged from the trash)."""
    for pk in pks:
        folder = f"{FOLDER}/{pk}"
        if default_storage.exists(folder):
            for name in default_storage.listdir(folder)[1]:
                default_storage.delete(f"{folder}/{name}")
