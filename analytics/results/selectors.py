"""Reads: the read-model frame results are computed from, and the stored results views show."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db import connection

from analytics.models import RecomputeRun, ResultSet
from surveys.answering.readmodel import questionnaire_variables, readmodel_ensure, readmodel_frame, readmodel_source
from surveys.models import Questionnaire, Wave
from surveys.questionnaire.spec import spec_for_version

SUBMITTED = "submitted"
VALUES = "edited"  # published results use the editors' values (raw answers stay in the raw read model)


# The frame of the last read per (database, questionnaire), with the newest `updated_at` it covers.
# Reading 100,000 rows costs seconds, a few new rows milliseconds: after a submission the worker
# reads only rows updated since (minus OVERLAP, for transactions that committed late) and merges.
_FRAMES: dict[tuple, tuple[pd.DataFrame, object]] = {}
OVERLAP = dt.timedelta(seconds=60)


def results_frame(*, questionnaire: Questionnaire, full: bool = False, summary: tuple | None = None) -> pd.DataFrame:
    """Every submitted response of the questionnaire as typed read-model columns (the only data source).

    On PostgreSQL the previous frame is refreshed with the rows updated since it was read, and
    used only if the result has exactly the submitted rows' count and id sum; otherwise (and with
    `full`) everything is read again. `summary`: results_summary() taken just before, if at hand."""
    key = (connection.settings_dict["NAME"], questionnaire.pk)
    cached = None if full or connection.vendor != "postgresql" else _FRAMES.pop(key, None)
    watermark = (summary or results_summary(questionnaire=questionnaire))[1]
    frame = _refreshed(questionnaire, *cached) if cached else None
    if frame is None:
        frame = readmodel_frame(questionnaire, where="status = %s", params=[SUBMITTED], values=VALUES)
    if connection.vendor == "postgresql" and watermark is not None:
        _FRAMES[key] = (frame, watermark)
    return frame


def _refreshed(questionnaire: Questionnaire, frame: pd.DataFrame, watermark) -> pd.DataFrame | None:
    delta = readmodel_frame(questionnaire, where="status = %s AND updated_at >= %s",
                            params=[SUBMITTED, watermark - OVERLAP], values=VALUES)
    if list(delta.columns) != list(frame.columns):  # a new version added columns
        return None
    if not len(delta):
        merged = frame
    elif delta["response_id"].min() > frame["response_id"].max():  # new submissions only: append
        merged = pd.concat([frame, delta], ignore_index=True)
    else:
        kept = frame[~frame["response_id"].isin(delta["response_id"])]
        merged = pd.concat([kept, delta], ignore_index=True).sort_values("response_id", ignore_index=True)
    count, _, ids = results_summary(questionnaire=questionnaire)
    if len(merged) != count or int(merged["response_id"].sum()) != int(ids or 0):
        return None  # a row left the submitted set, was deleted, or committed very late: read everything
    return merged


def results_summary(*, questionnaire: Questionnaire) -> tuple:
    """(count, newest updated_at, sum of ids) of the submitted rows (an edit moves updated_at on)."""
    readmodel_ensure(questionnaire)
    source = readmodel_source(questionnaire.code, ["response_id", "status", "updated_at"], VALUES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(updated_at), SUM(response_id) FROM {source} WHERE status = %s",
                       [SUBMITTED])
        return cursor.fetchone()


def results_fingerprint(summary: tuple) -> str:
    """Changes whenever a response is submitted, edited or removed."""
    count, latest, ids = summary
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
