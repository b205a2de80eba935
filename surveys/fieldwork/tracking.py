"""Response tracking: per wave and stratum counts, AAPOR final dispositions and outcome rates.

`cases_frame` is the one place the case records become a DataFrame (three queries); the rest
is pure pandas. `tracking_recompute` stores the result on WaveTracking with a compare-and-set
on computed_at, so a late, older run never overwrites a newer one.

Dispositions follow AAPOR's Standard Definitions for internet surveys of specifically named
persons (the firm's contact), with telephone outcomes merged in (`cati_dispositions`).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop as _  # marked here, translated where shown

from surveys.dispatch import enqueue
from surveys.fieldwork.burden import wave_burden
from surveys.models import Invitation, Message, Module, Selection, Stratum, Wave, WaveTracking

DISPOSITIONS = {
    "1.1": _("Complete"),
    "1.2": _("Partial (enough of the questionnaire answered)"),
    "2.111": _("Explicit refusal (opt-out link, telephone or staff)"),
    "2.1121": _("Implicit refusal: opened the link, answered nothing"),
    "2.12": _("Break-off: started, too little answered"),
    "2.20": _("Non-contact"),
    "2.30": _("Other (eligible, no interview)"),
    "3.11": _("No invitation sent"),
    "3.19": _("Invited, nothing ever returned"),
    "3.30": _("Invitation returned undelivered (e-mail bounced)"),
    "4.10": _("Not eligible"),
}
TELEPHONE_LABELS = {"2.11": _("Refusal (telephone)"), "2.21": _("Contact person never available"),
                    "2.33": _("Language barrier"), "3.12": _("Always busy"), "3.13": _("No answer"),
                    "3.14": _("Answering machine"),
                    "3.90": _("Unknown eligibility, other (e.g. wrong number)")}
QUOTA_LABELS = {"4.80": _("Screened out: quota cell full")}  # listed only when it occurs (waves with quotas)
CATEGORIES = {"1.1": "I", "1.2": "P", "2.1": "R", "2.2": "NC", "2.3": "O", "3": "U", "4": "NE"}
COUNTS = ["cases", "invited", "opened", "started", "partial", "submitted", "refused", "opted_out", "bounced",
          "not_reached", "not_invited"]
COUNT_LABELS = {"cases": _("cases"), "invited": _("invited"), "opened": _("opened"), "started": _("started"),
                "partial": _("partial"), "submitted": _("submitted"), "refused": _("refused"),
                "opted_out": _("opted out"), "bounced": _("bounced"), "not_reached": _("not reached"),
                "not_invited": _("not invited")}
COUNT_HELP = {
    "cases": _("Firms in the wave's sample(s), plus cases opened without a sample."),
    "invited": _("Cases whose invitation e-mail went out (or that were called, for telephone cases)."),
    "opened": _("Cases whose personal link was opened at least once."),
    "started": _("Cases with at least one page saved (web or telephone)."),
    "partial": _("Started, not submitted, at least {share} per cent of the modules saved (AAPOR 1.2)."),
    "submitted": _("Questionnaire submitted (AAPOR 1.1)."),
    "refused": _("Refusals on the telephone or recorded by staff (AAPOR 2.11, 2.111); opt-outs are counted "
                  "apart."),
    "opted_out": _("Cases that used the opt-out link (an explicit refusal, AAPOR 2.111, counted apart)."),
    "bounced": _("Cases with a bounced e-mail."),
    "not_reached": _("Invited or called, and no one reached: nothing came back by e-mail, or the calls found no "
                   "contact (AAPOR 2.2x non-contact, 3.1x-3.9x unknown eligibility; bounces apart)."),
    "not_invited": _("Sampled, no invitation sent yet (AAPOR 3.11)."),
}
RATE_HELP = {
    "RR1": _("Response rate 1 = I / ((I+P) + (R+NC+O) + (UH+UO)): completes over every case not known to be "
           "ineligible."),
    "RR2": _("Response rate 2 = (I+P) / ((I+P) + (R+NC+O) + (UH+UO)): completes and partials over the same "
              "base."),
    "RR3": _("Response rate 3 = I / ((I+P) + (R+NC+O) + e(UH+UO)), e = share eligible among cases of known "
           "eligibility."),
    "RR4": _("Response rate 4 = (I+P) / ((I+P) + (R+NC+O) + e(UH+UO))."),
    "COOP1": _("Cooperation rate 1 = I / ((I+P) + R + O): completes over the eligible cases that were "
                "contacted."),
    "REF1": _("Refusal rate 1 = R / ((I+P) + (R+NC+O) + (UH+UO))."),
    "CON1": _("Contact rate 1 = ((I+P) + R + O) / ((I+P) + R + O + NC + (UH+UO))."),
}
CATEGORY_HELP = {"I": _("complete interviews"), "P": _("partial interviews"), "R": _("refusals and break-offs"),
                 "NC": _("non-contacts"), "O": _("other eligible non-interviews"),
                 "U": _("unknown eligibility (UH + UO)"), "NE": _("not eligible")}


# ------------------------------------------------------------------ reading
def cati_dispositions(wave: Wave) -> dict[int, str]:
    """The AAPOR code of each telephone case's last call (surveys.cati.calls outcome codes)."""
    from surveys.models import CatiCase

    return dict(CatiCase.objects.filter(invitation__wave=wave, last_outcome__isnull=False)
                .values_list("invitation_id", "last_outcome__aapor_code"))


def external_dispositions(wave: Wave) -> dict[int, str]:
    """AAPOR codes other fieldwork (telephone) assigns to cases, by invitation id."""
    return {int(k): str(v) for k, v in cati_dispositions(wave).items() if v}


def _module_count(version_id: int) -> int:
    return Module.objects.filter(version_id=version_id).count() or 1


def cases_frame(wave: Wave) -> pd.DataFrame:
    """One row per case of the wave: stratum, response, e-mail and opt-out facts, external code."""
    cases = pd.DataFrame.from_records(list(Invitation.objects.filter(wave=wave).values_list(
        "pk", "firm_id", "opened_at", "response__status", "response__started_at", "response__submitted_at",
        "response__page_seconds", "opt_out__created_at", "response__screened_out_at", "response__mode")), columns=[
        "invitation_id", "firm_id", "opened_at", "status", "started_at", "submitted_at", "pages", "opted_out_at",
        "screened_out_at", "mode"])
    sampled = pd.DataFrame.from_records(list(Selection.objects.filter(sample__wave=wave).order_by(
        "sample_id").values_list("firm_id", "stratum__key")), columns=["firm_id", "stratum"]).drop_duplicates(
        "firm_id")
    frame = sampled.merge(cases, on="firm_id", how="outer")
    frame["stratum"] = frame["stratum"].fillna("(no sample)")
    frame["modules_share"] = frame["pages"].map(lambda p: len(p) if isinstance(p, dict) else 0) / _module_count(
        wave.version_id)
    frame["invitation_id"] = pd.to_numeric(frame["invitation_id"]).astype("float64")
    frame = frame.merge(_message_facts(wave), on="invitation_id", how="left")
    external = external_dispositions(wave)
    frame["external"] = frame["invitation_id"].map(lambda i: external.get(int(i), "") if pd.notna(i) else "")
    return frame.drop(columns=["pages"])


def _message_facts(wave: Wave) -> pd.DataFrame:
    rows = pd.DataFrame.from_records(list(Message.objects.filter(invitation__wave=wave).values_list(
        "invitation_id", "kind", "status", "sent_at", "bounced_at")),
        columns=["invitation_id", "kind", "status", "sent_at", "bounced_at"])
    sent = rows[rows["status"].isin([Message.Status.SENT, Message.Status.BOUNCED])]
    invited = sent[sent["kind"] == Message.Kind.INVITATION].set_index("invitation_id")["sent_at"].rename("invited_at")
    bounced = rows[rows["status"] == Message.Status.BOUNCED].groupby("invitation_id")["bounced_at"].min()
    facts = pd.concat([invited, bounced.rename("bounced_at")], axis=1)
    facts.index.name = "invitation_id"
    facts = facts.reset_index()
    facts["invitation_id"] = pd.to_numeric(facts["invitation_id"]).astype("float64")
    return facts


def reminder_sends(wave: Wave) -> pd.Series:
    return pd.Series(list(Message.objects.filter(invitation__wave=wave, kind__startswith="reminder",
                                                 status__in=[Message.Status.SENT, Message.Status.BOUNCED])
                          .values_list("sent_at", flat=True)), dtype="datetime64[ns, UTC]")


# ------------------------------------------------------------------ computing (pure)
def dispositions(frame: pd.DataFrame, partial_share: float) -> pd.Series:
    """The AAPOR code of every case, from the strongest evidence it has."""
    return frame.apply(lambda row: _disposition(row, partial_share), axis=1).astype(object) if len(frame) else \
        pd.Series([], dtype=object)


def _disposition(row, partial_share: float) -> str:
    external = row.get("external") or ""
    started = pd.notna(row.get("started_at")) or row.get("status") in ("started", "submitted")
    if row.get("status") == "submitted" or external.startswith("1.1"):
        return "1.1"
    if pd.notna(row.get("screened_out_at")):
        return "4.80"  # a full quota cell closed the case (surveys.fieldwork.quotas)
    if external.startswith("1.2") or started and row.get("modules_share", 0) >= partial_share:
        return "1.2"
    if external.startswith("4"):
        return external
    if pd.notna(row.get("opted_out_at")):
        return "2.111"
    if external.startswith("2.1"):
        return external
    if started:
        return "2.12"
    if pd.notna(row.get("opened_at")):
        return "2.1121"
    if external.startswith(("2.2", "2.3", "3")):
        return external
    if pd.notna(row.get("bounced_at")):
        return "3.30"
    return "3.19" if pd.notna(row.get("invited_at")) else "3.11"


def disposition_label(code: str) -> str:
    return DISPOSITIONS.get(code) or QUOTA_LABELS.get(code) or TELEPHONE_LABELS.get(code, _("telephone outcome"))


def category(code: str) -> str:
    return next((c for prefix, c in CATEGORIES.items() if code.startswith(prefix)), "U")


def aapor_rates(counts: dict[str, int]) -> dict[str, float | None]:
    """RR1-RR4, COOP1, REF1 and CON1 from category counts I, P, R, NC, O, U (= UH + UO), NE."""
    i, p, r, nc, o, u, ne = (counts.get(k, 0) for k in ("I", "P", "R", "NC", "O", "U", "NE"))
    known = i + p + r + nc + o
    e = known / (known + ne) if known + ne else 1.0

    def ratio(a, b):
        return round(a / b, 4) if b else None

    return {"RR1": ratio(i, known + u), "RR2": ratio(i + p, known + u), "RR3": ratio(i, known + e * u),
            "RR4": ratio(i + p, known + e * u), "COOP1": ratio(i, i + p + r + o), "REF1": ratio(r, known + u),
            "CON1": ratio(i + p + r + o, i + p + r + o + nc + u), "e": round(e, 4)}


def funnel(frame: pd.DataFrame) -> dict[str, int]:
    code = frame["disposition"]
    has = frame["invitation_id"].notna()
    return {
        "cases": int(len(frame)),
        "invited": int((frame["invited_at"].notna() | frame["external"].ne("")).sum()),
        "opened": int(frame["opened_at"].notna().sum()),
        "started": int((frame["started_at"].notna() | frame["status"].isin(["started", "submitted"])).sum()),
        "partial": int((code == "1.2").sum()),
        "submitted": int((code == "1.1").sum()),
        "refused": int((code.isin(["2.11", "2.111"]) & frame["opted_out_at"].isna()).sum()),
        "opted_out": int(frame["opted_out_at"].notna().sum()),
        "bounced": int(frame["bounced_at"].notna().sum()),
        "not_reached": int((frame["category"].isin(["NC", "U"]) & ~code.isin(["3.11", "3.30"])).sum()),
        "not_invited": int(((code == "3.11") | ~has).sum()),
    }


def summarize(frame: pd.DataFrame, *, partial_share: float, population: dict[str, int] | None = None,
              reminders: pd.Series | None = None, today: dt.date | None = None) -> dict:
    """Everything the tracking page shows, JSON-safe."""
    frame = frame.assign(disposition=dispositions(frame, partial_share))
    frame["category"] = frame["disposition"].map(category)
    categories = {k: int(v) for k, v in frame["category"].value_counts().items()}
    strata = []
    for key, part in frame.groupby("stratum", sort=True):
        cats = {k: int(v) for k, v in part["category"].value_counts().items()}
        rates = aapor_rates(cats)
        strata.append({"stratum": str(key), "population": (population or {}).get(str(key)), **funnel(part),
                       "RR1": rates["RR1"], "RR2": rates["RR2"]})
    counts = frame["disposition"].value_counts()
    modes = _modes_by_disposition(frame)
    return {
        "totals": funnel(frame) if len(frame) else dict.fromkeys(COUNTS, 0),
        "categories": categories,
        "dispositions": [{"code": c, "label": disposition_label(c), "category": category(c),
                          "count": int(counts.get(c, 0)), "modes": modes.get(c, {})}
                         for c in sorted(set(DISPOSITIONS) | set(counts.index))
                         if counts.get(c, 0) or c in DISPOSITIONS],
        "rates": aapor_rates(categories),
        "strata": strata,
        "daily": daily_progress(frame, reminders, today),
    }


def _modes_by_disposition(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    """{disposition: {mode: cases}} for cases that saved a page: the mode of their last save (web, cati, …)."""
    if "mode" not in frame or not len(frame):
        return {}
    reached = frame[frame["started_at"].notna() | frame["status"].isin(["started", "submitted"])]
    out: dict[str, dict[str, int]] = {}
    for (code, mode), n in reached.groupby(["disposition", "mode"]).size().items():
        out.setdefault(str(code), {})[str(mode)] = int(n)
    return out


def daily_progress(frame: pd.DataFrame, reminders: pd.Series | None = None,
                   today: dt.date | None = None) -> list[dict]:
    """Per day: invitations sent, reminders sent, links opened, started, submitted, and running totals."""
    tz = timezone.get_current_timezone()

    def per_day(values: pd.Series) -> pd.Series:
        stamps = pd.to_datetime(values.dropna(), utc=True)
        return stamps.dt.tz_convert(tz).dt.date.value_counts() if len(stamps) else pd.Series(dtype=int)

    series = {"invited": per_day(frame["invited_at"]), "opened": per_day(frame["opened_at"]),
              "started": per_day(frame["started_at"]), "submitted": per_day(frame["submitted_at"]),
              "reminded": per_day(reminders if reminders is not None else pd.Series(dtype=object))}
    days = sorted(set().union(*[s.index for s in series.values()]))
    if not days:
        return []
    last = max(days[-1], min(today or days[-1], days[0] + dt.timedelta(days=366)))
    out, running = [], dict.fromkeys(series, 0)
    for n in range((last - days[0]).days + 1):
        day = days[0] + dt.timedelta(days=n)
        row = {"date": day.isoformat()}
        for name, counts in series.items():
            running[name] += int(counts.get(day, 0))
            row[name], row[f"{name}_total"] = int(counts.get(day, 0)), running[name]
        out.append(row)
    return out


# ------------------------------------------------------------------ the stored result
def tracking_recompute(*, wave_id: int) -> bool:
    """Rebuild a wave's tracking and store it unless a newer result is already there."""
    started = timezone.now()
    wave = Wave.objects.filter(pk=wave_id).first()
    if wave is None:
        return False
    population = dict(Stratum.objects.filter(sample__wave=wave).values_list("key", "population"))
    data = summarize(cases_frame(wave), partial_share=settings.FIELDWORK_PARTIAL_SHARE, population=population,
                     reminders=reminder_sends(wave), today=_last_day(wave))
    data["burden"] = wave_burden(wave)
    WaveTracking.objects.get_or_create(wave=wave)
    stale = Q(computed_at__isnull=True) | Q(computed_at__lt=started)
    return WaveTracking.objects.filter(stale, wave=wave).update(data=data, computed_at=started) == 1


def _last_day(wave: Wave) -> dt.date:
    today = timezone.localdate()
    return min(today, timezone.localdate(wave.closes_at)) if wave.closes_at else today


def tracking_schedule(*, wave_id: int) -> None:
    enqueue("fieldwork.tracking_recompute", wave_id)


def waves_in_fieldwork(now: dt.datetime | None = None) -> list[int]:
    """Waves worth recomputing on a schedule: open now, or closed within the last two days."""
    now = now or timezone.now()
    recent = Q(closes_at__isnull=True) | Q(closes_at__gte=now - dt.timedelta(days=2))
    return list(Wave.objects.filter(recent).filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
                .filter(invitations__isnull=False).distinct().values_list("pk", flat=True))
