"""Reads: the read-model frame results are computed from, and the stored results views show."""
from __future__ import annotations

import pandas as pd
from django.db import connection

from analytics.models import RecomputeRun, ResultSet
from surveys.engine.spec import spec_for_version
from surveys.models import Questionnaire, Wave
from surveys.readmodel import questionnaire_variables, readmodel_ensure, readmodel_frame, table_name

SUBMITTED = "submitted"


def results_frame(*, questionnaire: Questionnaire) -> pd.DataFrame:
    """Every submitted response of the questionnaire as typed read-model columns (the only data source)."""
    return readmodel_frame(questionnaire, where="status = %s", params=[SUBMITTED])


def results_fingerprint(*, questionnaire: Questionnaire) -> str:
    """Cheap summary of the submitted rows: changes whenever a response is submitted, edited or removed."""
    readmodel_ensure(questionnaire)
    table = table_name(questionnaire.code)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*), MAX(updated_at), SUM(response_id) FROM "{table}" WHERE status = %s',
                       [SUBMITTED])
        count, latest, ids = cursor.fetchone()
    return f"{count}:{latest}:{ids}"


def variable_meta(*, questionnaire: Questionnaire) -> dict:
    return {v.name: v for v in questionnaire_variables(questionnaire)}


def item_kinds(*, questionnaire: Questionnaire) -> dict[str, str]:
    """Item code -> kind ('country', 'date', ...) across versions (latest wins)."""
    kinds: dict[str, str] = {}
    for version in questionnaire.versions.order_by("number"):
        kinds.update({code: item.kind for code, item in spec_for_version(version).items.items()})
    return kinds


def list_labels(*, questionnaire: Questionnaire) -> dict[str, dict]:
    """Labels of the codes of multiple-country items (stored as 'ES;CN' text): variable -> {code: label}."""
    out: dict[str, dict] = {}
    for version in questionnaire.versions.order_by("number"):
        for code, item in spec_for_version(version).items.items():
            if item.kind == "country" and item.multiple:
                out[code.replace(".", "_")] = {str(c.code): c.label.get("en", str(c.code)) for c in item.choices}
    return out


def waves_with_responses(*, questionnaire: Questionnaire) -> list[Wave]:
    return list(Wave.objects.filter(questionnaire=questionnaire, invitations__response__status=SUBMITTED)
                .distinct().order_by("code"))


def result_set_get(*, questionnaire: Questionnaire, key: str = ResultSet.ALL) -> ResultSet | None:
    return ResultSet.objects.filter(questionnaire=questionnaire, key=key).first()


def result_sets_of(*, questionnaire: Questionnaire) -> list[ResultSet]:
    return list(ResultSet.objects.filter(questionnaire=questionnaire).defer("payload"))


def result_report(*, result_set: ResultSet, name: str) -> dict | None:
    """One report of a stored result set (reads only that part of the JSON document)."""
    row = ResultSet.objects.filter(pk=result_set.pk).values_list(f"payload__reports__{name}", flat=True).first()
    return row if isinstance(row, dict) else None


def questionnaires_with_results() -> list[dict]:
    out = []
    for questionnaire in Questionnaire.objects.order_by("code"):
        main = result_set_get(questionnaire=questionnaire)
        out.append({"questionnaire": questionnaire, "result_set": main,
                    "last_run": RecomputeRun.objects.filter(questionnaire=questionnaire).first()})
    return out


def runs_recent(*, questionnaire: Questionnaire, limit: int = 10) -> list[RecomputeRun]:
    return list(RecomputeRun.objects.filter(questionnaire=questionnaire)[:limit])
