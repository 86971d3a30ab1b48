"""Photos kept between two attempts at saving a form, so a failed save never loses a chosen file.

A browser cannot send a file again: after a form error its file inputs are empty. So an upload
that passed ``uploads.clean_image`` is kept at once in the default storage, under
``pending/<random token>/<name>`` (unguessable and never linked from any page), and the form
carries a signed reference to it (``django.core.signing``, bound to the user). The next save
uses the kept file; a tampered, foreign or expired reference is a form error. The saved
article gets its own copy; the kept one is deleted after the commit, or by ``purge`` (called
by the daily ``purge_trash`` command) once it is older than ``MAX_AGE``.
"""

import base64
import contextlib
import datetime
import logging
import secrets
from functools import cached_property
from io import BytesIO
from pathlib import PurePath

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

logger = logging.getLogger(__name__)

PREFIX = "pending"
MAX_AGE = datetime.timedelta(days=1)
THUMBNAIL = (240, 160)


class KeptFile(ContentFile):
    """A cleaned upload held in the temporary store; ``reference`` is what the form carries."""

    def __init__(self, content, name, path, reference):
        super().__init__(content, name=name)
        self.path, self.reference = path, reference

    @property
    def token(self):
        """The random name of its folder: how the body names the upload until the article is saved."""
        return PurePath(self.path).parent.name

    @cached_property
    def thumbnail(self):
        """A small JPEG of the photo as a data: URL, for the note beside the file input ("" if none)."""
        return self.data_url(THUMBNAIL)

    def data_url(self, size):
        """The photo within ``size`` as a JPEG data: URL (kept files are never served: see deploy/nginx.conf)."""
        try:
            with Image.open(BytesIO(self.file.getvalue())) as image:
                image.draft("RGB", size)
                image.thumbnail(size)
                output = BytesIO()
                image.convert("RGB").save(output, "JPEG", quality=75)
        except (OSError, ValueError) as error:
            logger.warning("No thumbnail for %s: %s", self.path, error)
            return ""
        return "data:image/jpeg;base64," + base64.b64encode(output.getvalue()).decode()


def _salt(user):
    return f"{__name__}:{getattr(user, 'pk', None)}"


# A kept photo's name only tells the editor which one it was (where it goes when saved is random), and
# a file system takes 255 bytes a name at most: 84 Chinese characters in UTF-8.
NAME_BYTES = 150


def short_name(name):
    """``name`` within ``NAME_BYTES`` of UTF-8, its extension kept."""
    suffix = PurePath(name).suffix[:10]
    stem = name[: len(name) - len(PurePath(name).suffix)]
    while stem and len((stem + suffix).encode()) > NAME_BYTES:
        stem = stem[:-1]
    return (stem or "image") + suffix


def keep(upload, user):
    """Store a cleaned upload for ``user``; returns it as a ``KeptFile`` carrying its reference."""
    name = short_name(default_storage.get_valid_name(PurePath(upload.name or "image").name))
    upload.seek(0)
    content = upload.read()
    path = default_storage.save(f"{PREFIX}/{secrets.token_urlsafe(16)}/{name}", ContentFile(content))
    reference = signing.dumps(path, salt=_salt(user), compress=True)
    return KeptFile(content, PurePath(path).name, path, reference)


def retrieve(reference, user):
    """The ``KeptFile`` a reference made by ``keep`` for this user names; ``ValidationError`` otherwise."""
    lost = ValidationError(
        _("The photo chosen before can no longer be used (it was kept for a day at most). Choose it again."),
        code="kept_upload_lost",
    )
    try:
        path = signing.loads(reference, salt=_salt(user), max_age=MAX_AGE)
    except signing.BadSignature:  # tampered, made for another user, or expired
        raise lost from None
    if not isinstance(path, str) or not path.startswith(f"{PREFIX}/"):
        raise lost
    try:
        with default_storage.open(path, "rb") as stored:
            content = stored.read()
    except OSError:  # purged since
        raise lost from None
    return KeptFile(content, PurePath(path).name, path, reference)


def discard(path):
    """Delete a kept file (and its folder, once empty)."""
    default_storage.delete(path)
    _remove_folder(str(PurePath(path).parent))


def _remove_folder(folder):
    with contextlib.suppress(OSError):  # a folder with files in it stays
        default_storage.delete(folder)  # removes an empty folder on the file system; a no-op on S3


def purge(now=None):
    """Delete kept files older than ``MAX_AGE``; returns how many."""
    cutoff = (now or timezone.now()) - MAX_AGE
    try:
        folders, _files = default_storage.listdir(PREFIX)
    except FileNotFoundError:
        return 0
    count = 0
    for token in folders:
        folder = f"{PREFIX}/{token}"
        _dirs, names = default_storage.listdir(folder)
        old = [f"{folder}/{name}" for name in names if default_storage.get_modified_time(f"{folder}/{name}") < cutoff]
        for path in old:
            default_storage.delete(path)
        count += len(old)
        if len(old) == len(names):
            _remove_folder(folder)
    return count
