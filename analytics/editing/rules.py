"""Running the edit rules a definition declares (`edit_rules`) over submitted responses.

A rule's condition must hold; it fails when it evaluates to false. A condition that cannot be
evaluated (an item it reads is unanswered, not applicable, or don't know) does not flag anything:
what is missing is the completeness checks' business, not the editors'. Rules see the current
values: the raw answers with the editors' changes applied, so a fixed value clears its flag.

Only rules that failed at least once keep a row (`RuleResult`): a clean response costs nothing to
store, and the queue and the counts read a few indexed rows. A row that passes again stays, with
passed = true, as the history of what was flagged.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import transaction
from django.utils import timezone

from analytics.models import EditCase, RuleResult, ValueEdit
from surveys.models import Questionnaire, QuestionnaireVersion, Response
from surveys.questionnaire.spec import Spec, spec_for_version

CHUNK = 2000
SEVERITY_WEIGHT = {"hard": 1.0, "soft": 0.5}


def rule_weight(rule: dict) -> float:
    """Suspicion a failed rule adds: its own `weight`, else 1 for hard and 0.5 for soft rules."""
    return float(rule.get("weight") or SEVERITY_WEIGHT[rule["severity"]])


def rules_failing(spec: Spec, answers: dict) -> list[str]:
    """The ids of the rules whose condition is false for these answers."""
    env = spec.env(answers)
    return [r["id"] for r in spec.edit_rules if spec.fn(r["condition"])(env) is False]


def edited_values(response_ids: Iterable[int]) -> dict[int, dict]:
    """{response id: {answer key: current edited value}}: the latest edit of each key wins."""
    out: dict[int, dict] = {}
    rows = (ValueEdit.objects.filter(response_id__in=list(response_ids), action=ValueEdit.Action.EDIT)
            .order_by("at", "pk").values_list("response_id", "key", "new_value"))
    for response_id, key, value in rows:
        out.setdefault(response_id, {})[key] = value
    return out


def current_answers(response: Response, edits: dict | None = None) -> dict:
    """The raw answers with the editors' values applied (an edit to None removes the answer)."""
    answers = dict(response.answers)
    for key, value in (edits if edits is not None else edited_values([response.pk]).get(response.pk, {})).items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    return answers


def _submitted(questionnaire: Questionnaire, response_ids: list[int] | None) -> Iterator[list[Response]]:
    # versions once, not joined to every row: a definition is a large JSON document
    versions = {v.pk: v for v in QuestionnaireVersion.objects.filter(questionnaire=questionnaire)}
    queryset = (Response.objects.filter(version__questionnaire=questionnaire, status=Response.Status.SUBMITTED)
                .only("pk", "answers", "version_id").order_by("pk"))
    if response_ids is not None:
        queryset = queryset.filter(pk__in=response_ids)
    chunk: list[Response] = []
    for response in queryset.iterator(chunk_size=CHUNK):
        response.version = versions[response.version_id]
        chunk.append(response)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rules_run(*, questionnaire: Questionnaire, response_ids: list[int] | None = None) -> dict[str, int]:
    """Evaluate every rule on the submitted responses (all, or those ids); returns {rule id: flagged}.

    Idempotent: a second run over the same values stores the same results. Acceptances stay as
    long as the rule keeps failing on the same values (an edit that changes them reopens the flag)."""
    flagged: dict[str, int] = {}
    for chunk in _submitted(questionnaire, response_ids):
        failing = _evaluate(chunk)
        with transaction.atomic():
            _store(questionnaire, chunk, failing)
        for ids in failing.values():
            for rule_id in ids:
                flagged[rule_id] = flagged.get(rule_id, 0) + 1
    return flagged


def _evaluate(chunk: list[Response]) -> dict[int, list[str]]:
    edits = edited_values(r.pk for r in chunk)
    out = {}
    for response in chunk:
        spec = spec_for_version(response.version)
        if spec.edit_rules:
            out[response.pk] = rules_failing(spec, current_answers(response, edits.get(response.pk, {})))
    return out


def _store(questionnaire: Questionnaire, chunk: list[Response], failing: dict[int, list[str]]) -> None:
    now = timezone.now()
    ids = [r.pk for r in chunk]
    existing = {(r.response_id, r.rule_id): r for r in RuleResult.objects.filter(response_id__in=ids)}
    severities = {r.pk: {x["id"]: x["severity"] for x in spec_for_version(r.version).edit_rules} for r in chunk}
    fresh, changed = [], []
    for response_id in ids:
        for rule_id in failing.get(response_id, []):
            row = existing.get((response_id, rule_id))
            if row is None:
                fresh.append(RuleResult(response_id=response_id, questionnaire=questionnaire, rule_id=rule_id,
                                        severity=severities[response_id][rule_id], passed=False, evaluated_at=now))
            elif row.passed:
                row.passed, row.evaluated_at, row.accepted_by, row.accepted_at = False, now, None, None
                changed.append(row)
    for (response_id, rule_id), row in existing.items():
        if not row.passed and rule_id not in failing.get(response_id, ()):
            row.passed, row.evaluated_at = True, now
            changed.append(row)
    RuleResult.objects.bulk_create(fresh)
    RuleResult.objects.bulk_update(changed, ["passed", "evaluated_at", "accepted_by", "accepted_at"])
    _cases_sync(questionnaire, ids)


def _cases_sync(questionnaire: Questionnaire, response_ids: list[int]) -> None:
    """One queue row per response with a rule result; its count of open flags (scores: scores.py)."""
    open_counts: dict[int, int] = {}
    for response_id, passed, accepted in RuleResult.objects.filter(response_id__in=response_ids).values_list(
            "response_id", "passed", "accepted_at"):
        open_counts[response_id] = open_counts.get(response_id, 0) + int(not passed and accepted is None)
    cases = {c.response_id: c for c in EditCase.objects.filter(response_id__in=list(open_counts))}
    fresh = [EditCase(response_id=rid, questionnaire=questionnaire, open_rules=n)
             for rid, n in open_counts.items() if rid not in cases]
    for rid, case in cases.items():
        case.open_rules = open_counts[rid]
    EditCase.objects.bulk_create(fresh)
    EditCase.objects.bulk_update(list(cases.values()), ["open_rules"])


def rule_counts(*, questionnaire: Questionnaire) -> list[dict]:
    """Per rule of the latest version: responses failing now, of which accepted (cheap: indexed rows)."""
    latest = questionnaire.versions.order_by("-number").first()
    rules = spec_for_version(latest).edit_rules if latest else []
    failing = RuleResult.objects.filter(questionnaire=questionnaire, passed=False)
    counts = {}
    for rule_id, accepted in failing.values_list("rule_id", "accepted_at"):
        total, acc = counts.get(rule_id, (0, 0))
        counts[rule_id] = (total + 1, acc + int(accepted is not None))
    return [{"id": r["id"], "severity": r["severity"], "message": r["message"], "items": r["items"],
             "flagged": counts.get(r["id"], (0, 0))[0], "accepted": counts.get(r["id"], (0, 0))[1]} for r in rules]
