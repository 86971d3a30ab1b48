import argparse
import datetime
import os
import time
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from articles.importer import (
    CREATED,
    OVERWRITTEN,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    MalformedPage,
    check_publish_time,
    import_page,
)


def publish_time(value):
    # ArgumentTypeError: argparse turns it into a usage error (a CommandError under call_command).
    try:
        parsed = check_publish_time(datetime.datetime.fromisoformat(value))
    except MalformedPage as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date and time such as 2025-06-12T10:30") from exc
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class DryRun(Exception):
    """Raised at the end of a dry run to roll back everything it stored."""


class Command(BaseCommand):
    help = (
        "Import article pages in the reference text format (files, or folders of *.txt files). A page imported "
        "before updates its article, unless someone changed the article in the admin since: then it is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, or folders searched for *.txt")
        parser.add_argument(
            "--published",
            type=publish_time,
            help="publish time for pages that carry none (ISO format, Asia/Shanghai unless an offset is given)",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="replace the content of articles changed in the admin since their import with the file's; their "
            "status (published, withdrawn, in the trash), tags, summary and alt texts stay as the editors left them",
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

    def handle(self, *args, paths, published=None, overwrite=False, dry_run=False, progress_every=100, **options):
        self.verbosity = options["verbosity"]
        files, missing = [], 0
        for name in paths:
            path = Path(name)
            if path.is_dir():
                # Each file is read only if it is a regular file inside the folder named (links included).
                files.extend((found, path) for found in sorted(path.rglob("*.txt")))
            elif os.path.lexists(path):
                files.append((path, path.parent))
            else:
                missing += 1
                self.stderr.write(f"{path}: no such file or folder")
        self.counts = dict.fromkeys([CREATED, UPDATED, OVERWRITTEN, UNCHANGED, SKIPPED], 0) | {"failed": missing}
        started = time.monotonic()
        try:
            # A dry run imports inside one transaction and rolls it back: the checks are the real ones.
            with transaction.atomic() if dry_run else nullcontext():
                self.import_files(files, published, overwrite, progress_every, started, store_files=not dry_run)
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        self.summary(len(files), dry_run, time.monotonic() - started)
        if self.counts["failed"]:
            raise CommandError(f"{self.counts['failed']} file(s) could not be imported")

    def import_files(self, files, published, overwrite, progress_every, started, store_files=True):
        verbose = self.verbosity_ok(len(files), progress_every)
        for number, (path, folder) in enumerate(files, start=1):
            try:
                article, done = import_page(
                    path, published=published, store_files=store_files, overwrite=overwrite, folder=folder
                )
            except (MalformedPage, OSError) as exc:
                self.fail(path, exc)
                continue
            except (DataError, IntegrityError) as exc:  # each page is its own transaction: the others go on
                self.fail(path, f"the database refused it: {exc}")
                continue
            self.counts[done] += 1
            if done == SKIPPED:
                if self.verbosity >= 1:  # whatever the batch size: these need someone's attention
                    self.stdout.write(f"{path}: skipped: edited in the admin (article {article.pk} {article.title})")
            elif verbose:
                self.stdout.write(f"{path}: {done} article {article.pk} {article.title}")
            if not verbose and (number % progress_every == 0 or number == len(files)):
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"{number}/{len(files)} files ({number * 100 // len(files)}%), {number / elapsed:.0f} per second"
                )

    def fail(self, path, reason):
        self.counts["failed"] += 1
        self.stderr.write(f"{path}: {reason}")

    def verbosity_ok(self, total, progress_every):
        """One line per file for small batches (or -v 2), progress lines for large ones."""
        return self.verbosity >= 2 or (self.verbosity == 1 and total <= progress_every)

    def summary(self, total, dry_run, seconds):
        c = self.counts
        parts = [f"{c[CREATED]} created", f"{c[UPDATED]} updated"]
        parts += [f"{c[done]} {done}" for done in (OVERWRITTEN, UNCHANGED) if c[done]]
        parts += [f"{c[SKIPPED]} skipped (edited in the admin)", f"{c['failed']} failed"]
        line = ", ".join(parts) + f" ({total} files in {seconds:.1f} s)"
        self.stdout.write(f"dry run, nothing stored: {line}" if dry_run else line)
