from django.core.management.base import BaseCommand

from surveys.outbox import outbox_flush, outbox_pending, outbox_prune


class Command(BaseCommand):
    help = ("Send the background work that waited for the Celery broker (outbox rows not yet dispatched); "
            "with --prune, also delete dispatched rows older than OUTBOX_KEEP_DAYS.")

    def add_arguments(self, parser):
        parser.add_argument("--prune", action="store_true", help="also delete old dispatched rows")

    def handle(self, *args, prune: bool = False, **options):
        sent = outbox_flush()
        left = outbox_pending().count()
        self.stdout.write(f"sent {sent}, still pending {left}")
        if prune:
            self.stdout.write(f"pruned {outbox_prune()}")
