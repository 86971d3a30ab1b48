from django.core.management.base import BaseCommand, CommandError

from articles import backups


class Command(BaseCommand):
    help = (
        "Write the database, model by model, and every media file into one .tar.gz with a manifest "
        "(see articles/backups.py); restore it with `restore`, check it with `restore --check`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, e.g. backup-2026-11-25.tar.gz")

    def handle(self, *args, path, **options):
        try:
            manifest = backups.backup(path)
        except backups.BackupError as exc:
            raise CommandError(f"backup failed, no archive written: {exc}") from exc
        rows, media = sum(manifest["models"].values()), manifest["media"]
        self.stdout.write(
            f"{path}: {rows} rows of {len(manifest['models'])} models, {media['files']} media files "
            f"({media['bytes']} bytes)"
        )
