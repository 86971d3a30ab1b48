from django.core.management.base import BaseCommand

from alerts import tasks


class Command(BaseCommand):
    help = (
        "Dispatch the e-mail alerts of published articles whose time has come and whose job was lost "
        "(newsroom-alerts.timer, every 5 minutes); with --digest, enqueue the daily digests (newsroom-digest.timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--digest", action="store_true", help="Enqueue the daily digest of every daily subscription."
        )

    def handle(self, *args, digest=False, **options):
        dispatched = tasks.dispatch_due()
        self.stdout.write(f"{dispatched} instant alerts enqueued.")
        if digest:
            self.stdout.write(f"{tasks.send_digests()} daily digests enqueued.")
