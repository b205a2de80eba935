from django.core.management.base import BaseCommand

from surveys.fieldwork.mailing import invitations_queue
from surveys.management.commands.draw_sample import wave_from_arg


class Command(BaseCommand):
    help = ("Open a case for every sampled firm of a wave and send its invitation e-mail (once: running it "
            "again sends only what is missing).")

    def add_arguments(self, parser):
        parser.add_argument("--wave", required=True, help="wave id, or questionnaire/wave-code")
        parser.add_argument("--sample", help="only this sample (name)")

    def handle(self, *args, wave, sample=None, **options):
        wave = wave_from_arg(wave)
        chosen = wave.samples.get(name=sample) if sample else None
        queued = invitations_queue(wave=wave, sample=chosen)
        self.stdout.write(f"{queued} invitations queued for {wave}; sent by the workers in batches")
