from django.core.management.base import BaseCommand

from surveys.fieldwork.mailing import reminders_queue, reminders_run
from surveys.management.commands.draw_sample import wave_from_arg


class Command(BaseCommand):
    help = ("Queue the reminders now due to non-respondents (what Celery beat runs hourly); a second run "
            "sends nothing twice.")

    def add_arguments(self, parser):
        parser.add_argument("--wave", help="only this wave (id or questionnaire/wave-code); default: every open wave")
        parser.add_argument("--number", type=int, help="only reminder N")

    def handle(self, *args, wave=None, number=None, **options):
        if wave:
            chosen = wave_from_arg(wave)
            self.stdout.write(f"{reminders_queue(wave=chosen, number=number)} reminders queued for {chosen}")
            return
        for wave_id, queued in reminders_run().items():
            self.stdout.write(f"wave {wave_id}: {queued} reminders queued")
