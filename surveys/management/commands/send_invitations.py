from django.core.management.base import BaseCommand, CommandError

from surveys.fieldwork.mailing import invitations_queue
from surveys.management.commands.draw_sample import wave_from_arg


def sample_from_arg(wave, value: str):
    """A sample of the wave, given by its id or its name; a clear error otherwise."""
    samples = wave.samples.all()
    found = samples.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or samples.filter(name=value).first()
    if found is None:
        names = ", ".join(f"{s.pk} ({s.name})" for s in samples) or "none"
        raise CommandError(f"wave {wave} has no sample {value!r}; its samples: {names}")
    return found


class Command(BaseCommand):
    help = ("Open a case for every sampled firm of a wave and send its invitation e-mail (once: running it "
            "again sends only what is missing).")

    def add_arguments(self, parser):
        parser.add_argument("--wave", required=True, help="wave id, or questionnaire/wave-code")
        parser.add_argument("--sample", help="only this sample (its id or name)")

    def handle(self, *args, wave, sample=None, **options):
        wave = wave_from_arg(wave)
        chosen = sample_from_arg(wave, sample) if sample else None
        queued = invitations_queue(wave=wave, sample=chosen)
        self.stdout.write(f"{queued} invitations queued for {wave}; sent by the workers in batches")
