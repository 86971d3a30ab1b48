import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from articles import backups, workflow


class Command(BaseCommand):
    help = (
        "Restore a `backup` archive into an empty, migrated site, all or nothing: the rows, the media "
        "files, then the search index. --check reads the archive through and reports, writing nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--check",
            action="store_true",
            help="read the archive through: report what it holds and whether it is whole; write nothing",
        )

    def handle(self, *args, path, check, **options):
        if check:
            try:
                backups.check(path, log=self.stdout.write)
            except backups.BackupError as exc:
                raise CommandError(f"{path} is not whole: {exc}") from exc
            self.stdout.write(f"{path} is whole: every member matches the manifest")
            return
        job = backups.Restore(path)
        # A stop from the service manager (SIGTERM) is an interrupt too: the restore undoes itself.
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler) if in_main else None
        try:
            manifest, files = job.run()
        except backups.BackupError as exc:
            raise CommandError(f"restore failed, the site is as it was: {exc}") from exc
        except KeyboardInterrupt:
            raise CommandError(f"restore interrupted at {job.member}: the site is as it was") from None
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous)
        rows = sum(manifest["models"].values())
        self.stdout.write(f"restored {rows} rows and {files} media files; rebuilding the search index…")
        try:
            workflow.all_articles_changed()
        except KeyboardInterrupt:
            raise CommandError(
                "interrupted while rebuilding the search index: the site is restored, but search finds only "
                "some articles until `manage.py rebuild_search_index` has run"
            ) from None
        self.stdout.write("search index rebuilt")
