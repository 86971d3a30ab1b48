import datetime
import time
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.importer import MalformedPage, import_page


def publish_time(value):
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--published: {value!r} is not a date and time such as 2025-06-12T10:30") from exc
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class DryRun(Exception):
    """Raised at the end of a dry run to roll back everything it stored."""


class Command(BaseCommand):
    help = "Import article pages in the reference text format (files, or folders of *.txt files)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, or folders searched for *.txt")
        parser.add_argument(
            "--published",
            type=publish_time,
            help="publish time for pages that carry none (ISO format, Asia/Shanghai unless an offset is given)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read and check every page, report what would happen, store nothing",
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=100,
            metavar="N",
            help="on batches larger than N files, print progress every N files (default 100)",
        )

    def handle(self, *args, paths, published=None, dry_run=False, progress_every=100, **options):
        self.verbosity = options["verbosity"]
        files, missing = [], 0
        for name in paths:
            path = Path(name)
            if path.is_dir():
                files.extend(sorted(path.rglob("*.txt")))
            elif path.is_file():
                files.append(path)
            else:
                missing += 1
                self.stderr.write(f"{path}: no such file or folder")
        self.counts = {"created": 0, "updated": 0, "failed": missing}
        started = time.monotonic()
        try:
            # A dry run imports inside one transaction and rolls it back: the checks are the real ones.
            with transaction.atomic() if dry_run else nullcontext():
                self.import_files(files, published, progress_every, started, store_files=not dry_run)
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        self.summary(len(files), dry_run, time.monotonic() - started)
        if self.counts["failed"]:
            raise CommandError(f"{self.counts['failed']} file(s) could not be imported")

    def import_files(self, files, published, progress_every, started, store_files=True):
        verbose = self.verbosity_ok(len(files), progress_every)
        for number, path in enumerate(files, start=1):
            try:
                article, was_created = import_page(path, published=published, store_files=store_files)
            except (MalformedPage, OSError) as exc:
                self.counts["failed"] += 1
                self.stderr.write(f"{path}: {exc}")
                continue
            self.counts["created" if was_created else "updated"] += 1
            if verbose:
                self.stdout.write(
                    f"{path}: {'created' if was_created else 'updated'} article {article.pk} {article.title}"
                )
            elif number % progress_every == 0 or number == len(files):
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"{number}/{len(files)} files ({number * 100 // len(files)}%), {number / elapsed:.0f} per second"
                )

    def verbosity_ok(self, total, progress_every):
        """One line per file for small batches (or -v 2), progress lines for large ones."""
        return self.verbosity >= 2 or (self.verbosity == 1 and total <= progress_every)

    def summary(self, total, dry_run, seconds):
        c = self.counts
        line = f"{c['created']} created, {c['updated']} updated, {c['failed']} failed"
        line += f" ({total} files in {seconds:.1f} s)"
        self.stdout.write(f"dry run, nothing stored: {line}" if dry_run else line)
