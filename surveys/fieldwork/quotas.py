"""Quotas: a wave wants so many completed questionnaires per cell (e.g. size class x sector).

A response joins the cells its answers fall in as soon as every variable of a quota is answered
(or derived). The page save that answers them screens the case out when its cell already has its
completed questionnaires; submission checks again under a lock on the cells, so two respondents
racing for the last place of a cell cannot both complete it. A screened-out case keeps its
answers, sees a polite closing page, and is counted as AAPOR 4.80 (quota filled).
"""
from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from surveys.memo import ProcessMemo
from surveys.models import Quota, QuotaCell, Response, Wave
from surveys.questionnaire.texts import pick

SUBMITTED = Response.Status.SUBMITTED
# Whether a wave has quotas, per process: most waves have none, and every page save asks.
# A quota made in another process reaches page saves within these seconds; submission always looks.
QUOTAS_MEMO_SECONDS = 10
_HAS_QUOTAS = ProcessMemo(QUOTAS_MEMO_SECONDS, lambda wave_id: Quota.objects.filter(wave_id=wave_id).exists())


@receiver([post_save, post_delete], sender=Quota)
def _quotas_changed(sender, instance: Quota, **kwargs) -> None:
    _HAS_QUOTAS.drop(instance.wave_id)


def quota_value(response: Response, variable: str):
    """The value a quota variable has for the response ($NAME: derived), as text; None if unanswered."""
    source = response.derived if variable.startswith("$") else response.answers
    value = (source or {}).get(variable)
    if value is None or value == "" or isinstance(value, list | dict):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def quota_cells_matching(*, response: Response, fresh: bool = True) -> list[QuotaCell] | None:
    """The cells of the wave's quotas the response's answers fall in (quotas not fully answered: none);
    None when the wave has no quota, so saves of waves without quotas write nothing more.
    `fresh=False` (page saves) trusts the per-process memo of waves without quotas."""
    if not fresh and not _HAS_QUOTAS.get(response.invitation.wave_id):
        return None
    quotas = list(Quota.objects.filter(wave_id=response.invitation.wave_id).prefetch_related("cells"))
    if not quotas:
        return None
    matched = []
    for quota in quotas:
        values = {v: quota_value(response, v) for v in quota.variables}
        if any(v is None for v in values.values()):
            continue
        matched += [c for c in quota.cells.all() if {k: str(v) for k, v in c.values.items()} == values]
    return matched


def quota_full_cell(*, cells: list[QuotaCell], response: Response, lock: bool = False) -> QuotaCell | None:
    """The first active cell among `cells` whose completed questionnaires (others') reach its target.

    `lock` (at submission) takes the cells' row locks in id order first, so concurrent submissions
    to one cell count each other's completes one after the other.
    """
    active = [c for c in cells if c.quota.active]
    if not active:
        return None
    rows = QuotaCell.objects.filter(pk__in=[c.pk for c in active]).order_by("pk")
    if lock:
        list(rows.select_for_update())
    completed = dict(rows.annotate(n=Count("responses", filter=Q(responses__status=SUBMITTED)
                                           & ~Q(responses__pk=response.pk))).values_list("pk", "n"))
    return next((c for c in active if completed.get(c.pk, 0) >= c.target), None)


def quota_cells_full(*, wave_ids=None) -> list[int]:
    """Ids of the active cells whose completed questionnaires reach their target."""
    cells = QuotaCell.objects.filter(quota__active=True)
    if wave_ids is not None:
        cells = cells.filter(quota__wave_id__in=list(wave_ids))
    cells = cells.annotate(n=Count("responses", filter=Q(responses__status=SUBMITTED)))
    return [pk for pk, n, target in cells.values_list("pk", "n", "target") if n >= target]


def quota_fill(*, wave: Wave, language: str = "en") -> list[dict]:
    """Each quota of the wave with each cell's target, completes, cases in progress and screen-outs."""
    in_progress = Q(responses__status=Response.Status.STARTED, responses__screened_out_at__isnull=True)
    out = []
    for quota in Quota.objects.filter(wave=wave):
        cells = quota.cells.annotate(
            completed=Count("responses", filter=Q(responses__status=SUBMITTED)),
            in_progress=Count("responses", filter=in_progress),
            screened_out=Count("responses", filter=Q(responses__screened_out_at__isnull=False)))
        out.append({"name": quota.name, "variables": list(quota.variables), "active": quota.active, "cells": [
            {"id": c.pk, "label": pick(c.label, language) or str(c), "values": c.values, "target": c.target,
             "completed": c.completed, "in_progress": c.in_progress, "screened_out": c.screened_out,
             "full": c.completed >= c.target, "fill": round(c.completed / c.target, 4) if c.target else 1.0}
            for c in cells]})
    return out


def quota_problems(*, wave: Wave, variables: list, cells: list[dict]) -> list[str]:
    """What is wrong with a quota definition for the wave's questionnaire version (empty: nothing)."""
    from surveys.questionnaire.spec import spec_for_version

    spec = spec_for_version(wave.version)
    known = set(spec.items) | {d.name for d in spec.derived}
    problems = [f"{v!r} is neither an item nor a derived variable of {wave.version}." for v in variables
                if not isinstance(v, str) or v not in known]
    for n, cell in enumerate(cells, 1):
        if set(cell) != set(variables):
            problems.append(f"Cell {n} must give exactly one value for each of {', '.join(map(str, variables))}.")
    return problems
