"""python manage.py recompute_results --survey CODE [--force] [--queue]"""
from django.core.management.base import BaseCommand, CommandError

from analytics.models import RecomputeRun, ResultSet
from analytics.results.services import results_enqueue, results_recompute
from surveys.models import Questionnaire


class Command(BaseCommand):
    help = "Recompute the stored results (every report, every scope) of a questionnaire, here and now."

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True, help="questionnaire code, e.g. italian-districts-2016")
        parser.add_argument("--force", action="store_true", help="recompute even when no response changed")
        parser.add_argument("--queue", action="store_true", help="enqueue a Celery task instead of running here")

    def handle(self, *args, survey: str, force: bool, queue: bool, **options):
        questionnaire = Questionnaire.objects.filter(code=survey).first()
        if questionnaire is None:
            raise CommandError(f"no questionnaire {survey!r}")
        if queue:
            results_enqueue(questionnaire_id=questionnaire.pk, force=force)
            self.stdout.write(f"{survey}: recompute queued")
            return
        outcome = results_recompute(questionnaire_id=questionnaire.pk, force=force, trigger="command")
        run = RecomputeRun.objects.filter(questionnaire=questionnaire).first()
        main = ResultSet.objects.filter(questionnaire=questionnaire, key=ResultSet.ALL).first()
        self.stdout.write(f"{survey}: {outcome}; N = {main.n_responses if main else '—'}; "
                          f"{run.sets_written if run else 0} result set(s) written in "
                          f"{run.duration_ms if run and run.duration_ms is not None else 0} ms")
        if outcome == "failed":
            raise CommandError(run.error.strip().splitlines()[-1] if run and run.error else "recompute failed")
