import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.importer import MalformedPage, import_page


def publish_time(value):
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--published: {value!r} is not a date and time such as 2025-06-12T10:30") from exc
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class Command(BaseCommand):
    help = "Import article pages in the reference text format (files, or folders of *.txt files)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, or folders searched for *.txt")
        parser.add_argument(
            "--published",
            type=publish_time,
            help="publish time for pages that carry none (ISO format, Asia/Shanghai unless an offset is given)",
        )

    def handle(self, *args, paths, published=None, **options):
        files = []
        for name in paths:
            path = Path(name)
            if path.is_dir():
                files.extend(sorted(path.rglob("*.txt")))
            elif path.is_file():
                files.append(path)
            else:
                self.stderr.write(f"{path}: no such file or folder")
        created = updated = 0
        failed = len(paths) - sum(1 for name in paths if Path(name).exists())
        for path in files:
            try:
                article, was_created = import_page(path, published=published)
            except (MalformedPage, OSError) as exc:
                failed += 1
                self.stderr.write(f"{path}: {exc}")
                continue
            created += was_created
            updated += not was_created
            self.stdout.write(f"{path}: {'created' if was_created else 'updated'} article {article.pk} {article.title}")
        self.stdout.write(f"{created} created, {updated} updated, {failed} failed")
        if failed:
            raise CommandError(f"{failed} file(s) could not be imported")
