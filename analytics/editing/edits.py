"""Writes of the editors: change a value (with a reason), accept flagged values, run the rules after a submit.

Raw answers are never overwritten. A change is a ValueEdit row (old, new, reason, editor, time);
the response's edited read-model row is rebuilt from its answers plus all its edits, which is what
results and edited exports read. Every change then re-runs the response's rules, re-scores the
queue and asks for a results recompute.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from analytics.editing.impact import edit_impact, response_row
from analytics.editing.rules import current_answers, edited_values, rules_run
from analytics.editing.scores import cases_score
from analytics.models import EditCase, RuleResult, ValueEdit
from surveys.answering.readmodel import readmodel_upsert_edited
from surveys.models import Response
from surveys.models.questionnaire import version_heavy_fields
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.validation import clean_field

RUN_TASK = "analytics.editing_run"
RUN_ALL_TASK = "analytics.editing_run_all"


class EditRefused(ValueError):
    """An edit the item's own validation (or the editing rules) refuse; the message says why."""


def edit_value_parse(*, response: Response, key: str, raw: str) -> object:
    """The typed value of an editor's input for answer `key`, validated as the questionnaire validates it
    (type, range, decimals, choice codes); an empty input removes the answer (None)."""
    spec = spec_for_version(response.version)
    field = spec.fields.get(key)
    if field is None or field.role == "notes":
        raise EditRefused(f"{key!r} is not an answer of this questionnaire")
    text = (raw or "").strip()
    if not text:
        return None
    value = [x.strip() for x in text.split(",")] if field.kind == "multi" else text
    cleaned, error = clean_field(field, value, "en", spec.missing_codes)
    if error:
        raise EditRefused(f"{key}: {error}")
    return cleaned


@transaction.atomic
def value_edit(*, response_id: int, key: str, raw: str, reason: str, note: str, editor) -> ValueEdit:
    """Change one answer of a submitted response as an editor; the raw answer stays as it was."""
    response = _locked(response_id)
    if reason not in ValueEdit.Reason.values:
        raise EditRefused(f"unknown reason code {reason!r}")
    new = edit_value_parse(response=response, key=key, raw=raw)
    answers = current_answers(response)
    old = answers.get(key)
    if old == new:
        raise EditRefused(f"{key}: the new value is the value it has now")
    failing = list(RuleResult.objects.filter(response=response, passed=False).values_list("rule_id", flat=True))
    before = response_row(response)
    edit = ValueEdit.objects.create(response=response, questionnaire=response.version.questionnaire, key=key,
                                    old_value=old, new_value=new, reason=reason, note=note[:2000], rules=failing,
                                    editor=editor)
    _edited_row_refresh(response)
    edit.impact = edit_impact(response=response, before=before)
    edit.save(update_fields=["impact"])
    # the values changed: an acceptance was of the old values, so the flags open again if they still fail
    RuleResult.objects.filter(response=response).update(accepted_by=None, accepted_at=None)
    _after_change(response)
    return edit


@transaction.atomic
def flags_accept(*, response_id: int, reason: str, note: str, editor) -> ValueEdit:
    """Accept the values as they are: every failing rule of the response is marked accepted (audited)."""
    response = _locked(response_id)
    if reason not in ValueEdit.Reason.values:
        raise EditRefused(f"unknown reason code {reason!r}")
    now = timezone.now()
    flags = RuleResult.objects.filter(response=response, passed=False, accepted_at__isnull=True)
    rules = sorted(flags.values_list("rule_id", flat=True))
    if not rules:
        raise EditRefused("the response has no open flags to accept")
    flags.update(accepted_by=editor, accepted_at=now)
    edit = ValueEdit.objects.create(response=response, questionnaire=response.version.questionnaire,
                                    action=ValueEdit.Action.ACCEPT, reason=reason, note=note[:2000], rules=rules,
                                    editor=editor)
    EditCase.objects.filter(response=response).update(open_rules=0)
    cases_score(questionnaire=response.version.questionnaire)
    return edit


def _locked(response_id: int) -> Response:
    response = (Response.objects.select_for_update(of=("self",))
                .select_related("version", "version__questionnaire", "invitation")
                .defer(*version_heavy_fields("version__")).filter(pk=response_id).first())
    if response is None or response.status != Response.Status.SUBMITTED:
        raise EditRefused("only submitted responses are edited")
    return response


def _edited_row_refresh(response: Response) -> None:
    edits = edited_values([response.pk]).get(response.pk)
    answers = current_answers(response, edits) if edits else None
    readmodel_upsert_edited(response, response.version.questionnaire, answers=answers, updated_at=timezone.now())


def _after_change(response: Response) -> None:
    questionnaire = response.version.questionnaire
    rules_run(questionnaire=questionnaire, response_ids=[response.pk])
    cases_score(questionnaire=questionnaire)
    from analytics.results.services import results_request_recompute

    transaction.on_commit(lambda: results_request_recompute(questionnaire_id=questionnaire.pk, countdown=0))


def editing_run(*, response_id: int) -> list[str]:
    """What the task runs after a submit: the response's rules, and the queue's scores if it is flagged."""
    response = (Response.objects.select_related("version__questionnaire").defer(*version_heavy_fields("version__"))
                .filter(pk=response_id).first())
    if response is None or response.status != Response.Status.SUBMITTED:
        return []
    questionnaire = response.version.questionnaire
    flagged = rules_run(questionnaire=questionnaire, response_ids=[response_id])
    if flagged or EditCase.objects.filter(response_id=response_id).exists():
        cases_score(questionnaire=questionnaire)
    return sorted(flagged)


def editing_schedule(*, response_id: int) -> None:
    """Called by the submit (surveys.answering.saves): run the rules once the submission has committed."""
    from django.conf import settings

    from surveys.dispatch import enqueue

    # after the results recompute the same submit schedules (ANALYTICS_COALESCE_SECONDS): a worker runs
    # one task at a time, and scoring the queue reads every row, which the updated result would wait for
    enqueue(RUN_TASK, response_id, countdown=settings.EDITING_RUN_DELAY_SECONDS)


def editing_run_all(*, questionnaire_id: int) -> dict[str, int]:
    """Every submitted response's rules, edited rows and the queue's scores (after an import; `edit_run`)."""
    from surveys.models import Questionnaire

    questionnaire = Questionnaire.objects.filter(pk=questionnaire_id).first()
    if questionnaire is None:
        return {}
    edited_rows_refresh(questionnaire=questionnaire)  # an import may have replaced edited responses' answers
    flagged = rules_run(questionnaire=questionnaire)
    cases_score(questionnaire=questionnaire)
    return flagged


def editing_schedule_all(*, questionnaire_id: int) -> None:
    """After a bulk import: one run over the questionnaire once the import has committed."""
    from surveys.dispatch import enqueue

    enqueue(RUN_ALL_TASK, questionnaire_id)


def edited_rows_refresh(*, questionnaire) -> int:
    """Rebuild the edited read-model row of every edited response (after a read-model rebuild or a repair)."""
    ids = set(ValueEdit.objects.filter(questionnaire=questionnaire, action=ValueEdit.Action.EDIT)
              .values_list("response_id", flat=True))
    for response in (Response.objects.filter(pk__in=ids).select_related("version__questionnaire", "invitation")
                     .defer(*version_heavy_fields("version__"))):
        _edited_row_refresh(response)
    return len(ids)
