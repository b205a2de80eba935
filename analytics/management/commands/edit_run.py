from django.core.management.base import BaseCommand, CommandError

from analytics.editing.edits import editing_run_all
from analytics.editing.rules import rule_counts
from analytics.models import EditCase
from surveys.models import Questionnaire


class Command(BaseCommand):
    help = ("Run a questionnaire's edit rules on every submitted response, score the editing queue and print "
            "how many responses each rule flags (docs/editing.md).")

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True, help="questionnaire code")

    def handle(self, *args, **o):
        questionnaire = Questionnaire.objects.filter(code=o["survey"]).first()
        if questionnaire is None:
            raise CommandError(f"unknown survey {o['survey']!r}")
        editing_run_all(questionnaire_id=questionnaire.pk)
        queued = EditCase.objects.filter(questionnaire=questionnaire, open_rules__gt=0).count()
        counts = rule_counts(questionnaire=questionnaire)
        if not counts:
            self.stdout.write(f"{questionnaire.code} declares no edit rules")
            return
        width = max(len(c["id"]) for c in counts)
        self.stdout.write(f"{'rule'.ljust(width)}  severity  flagged  accepted")
        for c in counts:
            self.stdout.write(f"{c['id'].ljust(width)}  {c['severity']:<8}  {c['flagged']:>7}  {c['accepted']:>8}")
        self.stdout.write(f"{queued} responses in the editing queue")
