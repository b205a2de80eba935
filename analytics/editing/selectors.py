"""Reads of the editing screens: the queue, one response beside its flags and register data, the audit."""
from __future__ import annotations

from django.shortcuts import get_object_or_404

from analytics.editing.rules import current_answers
from analytics.models import EditCase, RuleResult, ValueEdit
from surveys.models import Questionnaire, Response
from surveys.models.questionnaire import version_heavy_fields
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.texts import pick

REGISTER_FIELDS = ("district", "region", "industry_code", "employees", "turnover", "market", "cluster", "country")


def queue_cases(*, questionnaire: Questionnaire, limit: int = 200) -> list[EditCase]:
    """The open cases, highest score first, with their open flags."""
    cases = list(EditCase.objects.filter(questionnaire=questionnaire, open_rules__gt=0)
                 .select_related("response__invitation__firm").order_by("-score", "response_id")[:limit])
    flags: dict[int, list[str]] = {}
    for response_id, rule_id in RuleResult.objects.filter(
            response_id__in=[c.response_id for c in cases], passed=False, accepted_at__isnull=True).values_list(
            "response_id", "rule_id"):
        flags.setdefault(response_id, []).append(rule_id)
    for case in cases:
        case.flags = sorted(flags.get(case.response_id, []))
    return cases


def recent_edits(*, questionnaire: Questionnaire, limit: int = 50):
    return (ValueEdit.objects.filter(questionnaire=questionnaire).select_related("editor", "response__invitation__firm")
            [:limit])


def submitted_response(response_id: int) -> Response:
    return get_object_or_404(Response.objects.select_related("version__questionnaire", "invitation__firm")
                             .defer(*version_heavy_fields("version__")),
                             pk=response_id, status=Response.Status.SUBMITTED)


def response_review(*, response: Response, language: str | None = None) -> dict:
    """A response's failing rules beside its answers (raw and edited), and the firm's register data."""
    spec = spec_for_version(response.version)
    rules = {r["id"]: r for r in spec.edit_rules}
    results = list(RuleResult.objects.filter(response=response, passed=False).select_related("accepted_by"))
    flagged_items = {i for r in results for i in rules.get(r.rule_id, {}).get("items", [])}
    answers = current_answers(response)
    rows = [{"key": key, "label": pick(f.label, language), "raw": response.answers.get(key), "value": answers.get(key),
             "edited": response.answers.get(key) != answers.get(key),
             "flagged": key in flagged_items or f.item.code in flagged_items}
            for key, f in spec.fields.items() if key in response.answers or key in answers or key in flagged_items]
    failures = [{"id": r.rule_id, "severity": r.severity, "accepted_by": r.accepted_by, "accepted_at": r.accepted_at,
                 "message": pick(rules.get(r.rule_id, {}).get("message", {}), language) or r.rule_id,
                 "items": rules.get(r.rule_id, {}).get("items", [])} for r in results]
    firm = response.invitation.firm
    return {"rows": rows, "failures": failures, "keys": [k for k, f in spec.fields.items() if f.role != "notes"],
            "register": [(name, getattr(firm, name)) for name in REGISTER_FIELDS],
            "edits": ValueEdit.objects.filter(response=response).select_related("editor"),
            "open": any(r.accepted_at is None for r in results)}


def audit_edits(*, questionnaire: Questionnaire, limit: int = 500):
    return (ValueEdit.objects.filter(questionnaire=questionnaire)
            .select_related("editor", "response__invitation__firm")[:limit])
