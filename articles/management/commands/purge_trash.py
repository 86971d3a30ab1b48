from django.conf import settings
from django.core.management.base import BaseCommand

from articles import pending_uploads, workflow


class Command(BaseCommand):
    help = (
        f"Delete for good the articles that have been in the trash for more than {settings.TRASH_DAYS} days, "
        f"and the photos kept from failed saves for more than {pending_uploads.MAX_AGE.days} day. Run it daily."
    )

    def handle(self, *args, **options):
        count = workflow.purge_trash()
        self.stdout.write(f"{count} article(s) purged from the trash")
        deleted = pending_uploads.purge()
        self.stdout.write(f"{deleted} kept photo(s) of failed saves deleted")
