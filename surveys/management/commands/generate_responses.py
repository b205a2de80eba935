import time

from django.core.management.base import BaseCommand, CommandError

from surveys.answering.generate import responses_generate
from surveys.answering.saves import schedule_results
from surveys.models import Questionnaire


class Command(BaseCommand):
    help = "Create N plausible submitted responses (through the web's validation) for demos and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True)
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--wave", help="wave code (default: the survey's current wave)")
        parser.add_argument("--pool", type=int, default=0,
                            help="draw at most this many distinct answer sets and give every further response one "
                                 "of them at random (millions for benchmarks in minutes; default 0: all drawn)")

    def handle(self, *args, survey, count, seed, wave=None, pool=0, **options):
        if pool < 0:
            raise CommandError("--pool is a number of answer sets, 0 or more")
        questionnaire = Questionnaire.objects.filter(code=survey).first()
        if questionnaire is None:
            raise CommandError(f"unknown survey {survey!r}; run load_instruments first")
        chosen = questionnaire.waves.filter(code=wave).first() if wave else None
        if wave and chosen is None:
            raise CommandError(f"unknown wave {wave!r}")
        started = time.perf_counter()
        made = responses_generate(questionnaire=questionnaire, count=count, seed=seed, wave=chosen, pool=pool)
        schedule_results(questionnaire.pk)
        self.stdout.write(f"{made} responses generated for {survey} in {time.perf_counter() - started:.1f} s")
