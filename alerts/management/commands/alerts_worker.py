from django.core.management.base import BaseCommand

from alerts.queue import worker


class Command(BaseCommand):
    help = (
        "Work through the e-mail alerts queue (RQ on REDIS_URL), with its scheduler: the alerts of scheduled "
        "articles at their time, and retries of failed mails (newsroom-alerts-worker.service)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Stop when the queue is empty.")

    def handle(self, *args, burst=False, **options):
        worker().work(burst=burst, with_scheduler=True)
