"""The temporary store of photos kept between two attempts at saving a form."""

import datetime
import os
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from articles import pending_uploads

from .test_uploads import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return User.objects.create_user("one"), User.objects.create_user("two")


def test_a_kept_photo_comes_back_only_to_its_user_and_only_untampered(users, media_root):
    one, two = users
    content = image_bytes("JPEG")
    kept = pending_uploads.keep(ContentFile(content, name="签约 仪式.jpg"), one)
    assert kept.path.startswith("pending/") and len(kept.path.split("/")[1]) >= 20  # a random folder
    assert (media_root / kept.path).read_bytes() == content
    again = pending_uploads.retrieve(kept.reference, one)
    assert again.read() == content and again.name == kept.name == "签约_仪式.jpg" and again.path == kept.path
    assert kept.thumbnail.startswith("data:image/jpeg;base64,")
    for reference, user in [
        (kept.reference, two),
        (kept.reference, None),
        (kept.reference[:-1] + ("y" if kept.reference.endswith("x") else "x"), one),
    ]:
        with pytest.raises(ValidationError) as error:
            pending_uploads.retrieve(reference, user)
        assert error.value.code == "kept_upload_lost"


def test_purge_deletes_kept_photos_older_than_a_day(users, media_root):
    one = users[0]
    old = pending_uploads.keep(ContentFile(image_bytes("PNG"), name="old.png"), one)
    recent = pending_uploads.keep(ContentFile(image_bytes("PNG"), name="recent.png"), one)
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(media_root / old.path, (two_days_ago, two_days_ago))
    out = StringIO()
    call_command("purge_trash", stdout=out)  # the daily housekeeping command
    assert "1 kept photo(s) of failed saves deleted" in out.getvalue()
    assert not (media_root / old.path).parent.exists() and (media_root / recent.path).exists()
    with pytest.raises(ValidationError):  # a form still carrying it asks for the photo again
        pending_uploads.retrieve(old.reference, one)
    assert pending_uploads.retrieve(recent.reference, one).name == "recent.png"


def test_purge_with_nothing_kept(media_root):
    assert pending_uploads.purge() == 0


def test_discard_removes_the_file_and_its_folder(users, media_root):
    kept = pending_uploads.keep(ContentFile(image_bytes("GIF"), name="a.gif"), users[0])
    pending_uploads.discard(kept.path)
    assert not (media_root / kept.path).parent.exists() and (media_root / "pending").exists()
