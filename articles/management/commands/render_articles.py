from django.core.management.base import BaseCommand
from django.db.models import Q

from articles import rendering
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Store every article's body and list item as pages and feeds show them (articles/rendering.py): once "
        "after upgrading to a release that stores them, after a bulk load, or after a change of the figure or "
        "list item templates."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing", action="store_true", help="only articles whose body or list item is not stored yet"
        )
        parser.add_argument("--batch", type=int, default=500, help="articles stored per transaction")

    def handle(self, *args, missing, batch, **options):
        articles = Article.objects.all()
        if missing:
            articles = articles.filter(Q(body_html="", body__gt="") | Q(item_html=""))

        def progress(done, total):
            if done == total or done % (batch * 20) == 0:
                self.stdout.write(f"{done}/{total}")

        count = rendering.store_many(articles, batch_size=batch, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{count} articles stored"))
