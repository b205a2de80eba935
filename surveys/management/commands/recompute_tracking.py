from django.core.management.base import BaseCommand

from surveys.fieldwork.tracking import tracking_recompute, waves_in_fieldwork
from surveys.management.commands.draw_sample import wave_from_arg


class Command(BaseCommand):
    help = "Recompute fieldwork tracking (counts, AAPOR dispositions and rates) of one wave or every open wave."

    def add_arguments(self, parser):
        parser.add_argument("--wave", help="wave id or questionnaire/wave-code")

    def handle(self, *args, wave=None, **options):
        ids = [wave_from_arg(wave).pk] if wave else waves_in_fieldwork()
        for wave_id in ids:
            tracking_recompute(wave_id=wave_id)
            self.stdout.write(f"wave {wave_id}: tracking recomputed")
