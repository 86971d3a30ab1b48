import io
import tarfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# XML keeps times to the microsecond (the JSON serializer rounds them to milliseconds).
# Rebuilt by migrate or by restore (the search index), or not worth keeping: left out of the dump.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes", "articles.searchentry"]


class Command(BaseCommand):
    help = "Write the database and the uploaded media into one .tar.gz file (restore with `restore`)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, e.g. backup-2026-11-25.tar.gz")

    def handle(self, *args, path, **options):
        data = io.StringIO()
        call_command(
            "dumpdata", "--format=xml", "--natural-foreign", *[f"--exclude={e}" for e in EXCLUDED], stdout=data
        )
        payload = data.getvalue().encode()
        media = Path(settings.MEDIA_ROOT)
        files = 0
        with tarfile.open(path, "w:gz") as archive:
            info = tarfile.TarInfo("data.xml")
            info.size, info.mtime = len(payload), int(time.time())
            archive.addfile(info, io.BytesIO(payload))
            if media.is_dir():
                for file in sorted(p for p in media.rglob("*") if p.is_file()):
                    archive.add(file, arcname=f"media/{file.relative_to(media)}")
                    files += 1
        self.stdout.write(f"{path}: database ({len(payload)} bytes) and {files} media files")
