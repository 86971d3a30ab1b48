import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles import workflow
from articles.models import Article


class Command(BaseCommand):
    help = "Restore a `backup` archive into an empty, migrated site: the database, then the media files."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        if Article.objects.exists():
            raise CommandError(
                "The site already has articles: restore only into an empty site (migrate a new database)."
            )
        with tempfile.TemporaryDirectory() as tmp:
            try:
                with tarfile.open(path, "r:gz") as archive:
                    # The "data" filter refuses absolute paths, links out of the folder and device files.
                    archive.extractall(tmp, filter="data")
            except (OSError, tarfile.TarError) as exc:
                raise CommandError(f"{path}: not a backup archive ({exc})") from exc
            data = Path(tmp) / "data.xml"
            if not data.is_file():
                raise CommandError(f"{path}: no data.xml inside: not a backup archive")
            with transaction.atomic():
                call_command("loaddata", str(data), verbosity=0)
            media = Path(settings.MEDIA_ROOT)
            files = 0
            for file in sorted(p for p in (Path(tmp) / "media").rglob("*") if p.is_file()):
                target = media / file.relative_to(Path(tmp) / "media")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(file.read_bytes())
                files += 1
        workflow.all_articles_changed()
        self.stdout.write(f"restored {Article.objects.count()} articles and {files} media files")
