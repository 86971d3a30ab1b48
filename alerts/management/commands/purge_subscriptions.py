from django.core.management.base import BaseCommand

from alerts import tasks


class Command(BaseCommand):
    help = "Delete e-mail subscriptions left unconfirmed for ALERTS_UNCONFIRMED_DAYS days (the nightly upkeep)."

    def handle(self, *args, **options):
        self.stdout.write(f"{tasks.purge_subscriptions()} unconfirmed subscriptions deleted.")
