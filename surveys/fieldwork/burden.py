"""Response burden per wave: the minutes a firm spent answering, from the page times of the web
and telephone screens (Response.page_seconds: seconds per page, each visit capped at
PARADATA_PAGE_CAP_SECONDS), summed over the pages of each submitted response.

Reported by size class (EU headcount classes of the firm's register employees) and by mode (the
mode of the response's last save): cases, median and quartiles (linear interpolation, as
pandas' `quantile`). Responses without page times (imports, generated) are left out. When the
questionnaire carries the standard item `TIME_NEEDED` (docs/definition-format.md, minutes the
respondent says answering took), its median is shown beside the measured one.
"""
from __future__ import annotations

import pandas as pd

from surveys.fieldwork.sampling import size_class
from surveys.models import Response, Wave

REPORTED_ITEM = "TIME_NEEDED"  # the standard "time needed to answer" item, in minutes
SIZE_ORDER = ["MICRO", "SMALL", "MEDIUM", "LARGE"]


def burden_frame(wave: Wave) -> pd.DataFrame:
    """One row per submitted response with page times: response and firm ids, size class, mode, minutes."""
    rows = Response.objects.filter(invitation__wave=wave, status=Response.Status.SUBMITTED).values_list(
        "pk", "invitation__firm_id", "invitation__firm__employees", "mode", "page_seconds",
        f"answers__{REPORTED_ITEM}")
    frame = pd.DataFrame.from_records(list(rows), columns=["response_id", "firm_id", "employees", "mode", "pages",
                                                           "reported_minutes"])
    frame["minutes"] = frame["pages"].map(_minutes)
    frame["size_class"] = frame["employees"].map(size_class)
    frame["reported_minutes"] = pd.to_numeric(frame["reported_minutes"], errors="coerce")
    return frame.drop(columns=["pages", "employees"]).dropna(subset=["minutes"]).reset_index(drop=True)


def _minutes(pages) -> float | None:
    seconds = [float(v) for v in (pages or {}).values() if isinstance(v, int | float)]
    return round(sum(seconds) / 60, 2) if seconds and sum(seconds) > 0 else None


def burden_stats(minutes: pd.Series, reported: pd.Series | None = None) -> dict:
    """Cases, median and quartiles of measured minutes (and the median reported, when any)."""
    minutes = minutes.dropna()
    reported = reported.dropna() if reported is not None else pd.Series(dtype=float)

    def q(p: float) -> float | None:
        return round(float(minutes.quantile(p)), 1) if len(minutes) else None

    return {"responses": int(len(minutes)), "q1": q(0.25), "median": q(0.5), "q3": q(0.75),
            "reported_responses": int(len(reported)),
            "reported_median": round(float(reported.median()), 1) if len(reported) else None}


def burden_summary(frame: pd.DataFrame) -> dict:
    """Everything the tracking page and the paradata export show about burden, JSON-safe."""
    if not len(frame):
        return {"overall": burden_stats(pd.Series(dtype=float)), "groups": []}
    groups = []
    for by in (["size_class", "mode"], ["size_class"], ["mode"]):
        for keys, part in frame.groupby(by, sort=False):
            named = dict(zip(by, keys, strict=True))
            groups.append({"size_class": str(named.get("size_class", "all")), "mode": str(named.get("mode", "all")),
                           **burden_stats(part["minutes"], part["reported_minutes"])})
    order = {name: n for n, name in enumerate(SIZE_ORDER + ["all"])}
    groups.sort(key=lambda g: (order.get(g["size_class"], len(order)), g["mode"] == "all", g["mode"]))
    return {"overall": burden_stats(frame["minutes"], frame["reported_minutes"]), "groups": groups}


def wave_burden(wave: Wave) -> dict:
    return burden_summary(burden_frame(wave))
