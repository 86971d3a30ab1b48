from django.core.management.base import BaseCommand

from articles import workflow
from articles.models import SearchEntry


class Command(BaseCommand):
    help = "Rebuild the search index of every article (after a bulk load, or to repair it)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=100, help="articles indexed per transaction (memory grows with it)"
        )

    def handle(self, *args, batch, **options):
        def progress(done, total):
            if done == total or done % (batch * 20) == 0:
                self.stdout.write(f"{done}/{total}")

        workflow.all_articles_changed(batch_size=batch, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{SearchEntry.objects.count()} articles indexed"))
