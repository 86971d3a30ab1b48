from django.conf import settings
from django.core.management.base import BaseCommand

from articles import workflow


class Command(BaseCommand):
    help = f"Delete for good the articles that have been in the trash for more than {settings.TRASH_DAYS} days."

    def handle(self, *args, **options):
        count = workflow.purge_trash()
        self.stdout.write(f"{count} article(s) purged from the trash")
