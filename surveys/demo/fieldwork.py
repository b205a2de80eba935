"""Demo fieldwork for `manage.py demo`: a register, a stratified sample, e-mail history, outcomes.

The Italian study's design on made-up firms: a register of the eight districts, the filter
turnover > EUR 1 million, a sample stratified by district with the largest firms taken whole,
invitations sent 18 days ago and two reminders, and responses arriving after each mailing, so
the tracking page shows a live wave. Messages are written as already sent (no e-mail goes out).
Everything goes into the study's default wave, next to the other demo steps' cases (listed as
"(no sample)" on the tracking page). Idempotent: nothing is added once the sample exists.
"""
from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from surveys.answering.generate import answers_generate
from surveys.answering.readmodel import readmodel_upsert
from surveys.answering.saves import response_record
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.fieldwork.mailing import messages_queue
from surveys.fieldwork.population import firms_upsert
from surveys.fieldwork.sampling import sample_draw
from surveys.fieldwork.tracking import tracking_recompute
from surveys.models import (
    Invitation,
    MailingPlan,
    Message,
    OptOut,
    PageVisit,
    Questionnaire,
    Response,
    Selection,
    Wave,
)
from surveys.questionnaire.spec import spec_for_version

QUESTIONNAIRE = "italian-districts-2016"
SAMPLE = "districts-demo"
SEED = 2016
DAYS_IN_FIELD = 18
# (district, region, industry codes) after shared/instruments.md 2.1
DISTRICTS = [("TV_FURN", "Veneto", ["31.01", "31.09"]), ("PN_FURN", "Friuli-Venezia Giulia", ["31.01", "31.09"]),
             ("MANZANO_FURN", "Friuli-Venezia Giulia", ["31.01"]), ("VI_MECH", "Veneto", ["28.41", "25.62"]),
             ("PN_MECH", "Friuli-Venezia Giulia", ["28.29", "25.62"]), ("MONTEBELLUNA_SPORT", "Veneto", ["15.20"]),
             ("BRENTA_SHOES", "Veneto", ["15.20"]), ("BL_EYEWEAR", "Veneto", ["32.50"])]
NAMES = ["Mobilificio", "Meccanica", "Calzaturificio", "Occhialeria", "Sportsystem", "Fonderia", "Tecno"]


def register_records(count: int = 640) -> dict[str, dict]:
    rng = random.Random(SEED)
    records = {}
    for n in range(1, count + 1):
        district, region, codes = DISTRICTS[rng.choices(range(8), weights=[18, 10, 9, 16, 8, 9, 14, 16])[0]]
        employees = max(3, int(rng.lognormvariate(3.2, 1.0)))
        turnover = round(employees * rng.uniform(90_000, 260_000), 2)
        records[f"ITREG{n:06d}"] = {
            "identifier": f"ITREG{n:06d}", "name": f"{NAMES[n % len(NAMES)]} {district.split('_')[0].title()} {n}",
            "language": "it", "country": "IT", "region": region, "district": district,
            "industry_code": rng.choice(codes), "employees": employees, "turnover": turnover,
            "market": rng.choice(["B2B", "B2C"]), "contact_name": f"Referente {n}",
            "email": f"produzione{n}@register.demo.example", "phone": f"+39 0422 {n:06d}",
            "attributes": {"source": "demo register (AIDA-like)"}}
    return records


def _wave(questionnaire: Questionnaire) -> Wave:
    """The study's default wave: the one the rest of the demo (telephone cases, links) uses too.

    Not a wave of its own: surveys.fieldwork.invitations.wave_default picks the newest wave of a version, so a
    second wave would capture the other demo steps' cases.
    """
    wave = wave_default(questionnaire=questionnaire)
    MailingPlan.objects.get_or_create(wave=wave, defaults={"reminder_days": [7, 14]})
    return wave


@transaction.atomic
def fieldwork_demo_ensure() -> str:
    questionnaire = Questionnaire.objects.filter(code=QUESTIONNAIRE).first()
    if questionnaire is None or questionnaire.latest_version() is None:
        return f"fieldwork demo skipped: {QUESTIONNAIRE} is not loaded"
    now = timezone.now()
    wave = _wave(questionnaire)
    if wave.samples.filter(name=SAMPLE).exists():
        tracking_recompute(wave_id=wave.pk)
        return f"fieldwork demo: wave {wave} already has its sample (tracking recomputed)"
    firms_upsert(records=register_records())
    sample = sample_draw(wave=wave, name=SAMPLE, filters={"turnover__gt": "1000000",
                                                              "identifier__startswith": "ITREG"},
                         strata_fields=["district"], size=160, take_all={"employees__gte": 250}, seed=SEED)
    for selection in Selection.objects.filter(sample=sample).select_related("firm"):
        invitation, _, _ = invitation_issue(wave=wave, firm=selection.firm)
        Selection.objects.filter(pk=selection.pk).update(invitation=invitation)
    _history(wave, now, random.Random(SEED))
    tracking_recompute(wave_id=wave.pk)
    return (f"fieldwork demo: wave {wave}, a sample of {sample.selections.count()} firms with its e-mail history; "
            f"tracking at {settings.SITE_URL.rstrip('/')}{reverse('fieldwork:tracking', args=[wave.pk])}")


def _history(wave: Wave, now: dt.datetime, rng: random.Random) -> None:
    """Invitations 18 days ago, reminders on days 7 and 14, answers after each mailing."""
    start = now - dt.timedelta(days=DAYS_IN_FIELD)
    cases = list(Invitation.objects.filter(wave=wave, selections__sample__name=SAMPLE)
                 .select_related("response__version").order_by("pk"))
    messages_queue(invitation_ids=[c.pk for c in cases], kind=Message.Kind.INVITATION)
    Message.objects.filter(invitation__in=cases).update(status=Message.Status.SENT, sent_at=start, attempts=1)
    spec = spec_for_version(wave.version)
    done: dict[int, dt.datetime] = {}  # case -> when it left the reminder list
    for case in cases:
        if rng.random() < 0.03:
            Message.objects.filter(invitation=case).update(status=Message.Status.BOUNCED, bounced_at=start)
            done[case.pk] = start
            continue
        done.update(_outcome(case, spec, start, now, rng))
    for number, day in ((1, 7), (2, 14)):
        due = [c.pk for c in cases if done.get(c.pk, now) > start + dt.timedelta(days=day)]
        messages_queue(invitation_ids=due, kind=f"reminder{number}")
        Message.objects.filter(invitation_id__in=due, kind=f"reminder{number}").update(
            status=Message.Status.SENT, sent_at=start + dt.timedelta(days=day, hours=9), attempts=1)
    for message in Message.objects.filter(invitation__in=cases).select_related("invitation__firm"):
        Message.objects.filter(pk=message.pk).update(
            to_email=message.invitation.firm.email,
            message_id=f"<{message.kind}.{message.invitation_id}.{wave.pk}@demo.example>")


def _outcome(case: Invitation, spec, start: dt.datetime, now: dt.datetime, rng: random.Random) -> dict:
    """Open after one of the mailings (or never), then maybe start, then maybe submit."""
    if rng.random() > 0.56:
        if rng.random() < 0.07:
            OptOut.objects.create(invitation=case, reason="not interested")
            return {case.pk: start + dt.timedelta(days=1)}
        return {}
    mailing = rng.choices([0, 7, 14], weights=[0.55, 0.3, 0.15])[0]
    opened = start + dt.timedelta(days=mailing + rng.expovariate(1 / 1.5), hours=rng.uniform(0, 8))
    opened = min(opened, now - dt.timedelta(hours=1))
    Invitation.objects.filter(pk=case.pk).update(opened_at=opened)
    if rng.random() > 0.72:
        return {}
    started = opened + dt.timedelta(minutes=rng.uniform(1, 30))
    answers = answers_generate(spec, rng)
    response = case.response
    if rng.random() < 0.7:
        submitted = min(started + dt.timedelta(minutes=rng.uniform(12, 600)), now)
        response.started_at = started
        response = response_record(response=response, answers=answers, language="it", submitted_at=submitted,
                                   mode=Response.Mode.WEB, source="fieldwork demo")
        response.page_seconds = _page_visits(response, [m.code for m in spec.modules], started)
        response.save()
        readmodel_upsert([response], response.version.questionnaire)
        return {case.pk: submitted}
    modules = [m.code for m in spec.modules][: rng.randint(1, max(1, len(spec.modules) - 1))]
    keep = {f.key for m in spec.modules if m.code in modules for i in m.items for f in i.fields}
    response.answers = {k: v for k, v in answers.items() if k in keep}
    response.derived = spec.env(response.answers).derived()
    response.status, response.started_at, response.current_module = Response.Status.STARTED, started, modules[-1]
    response.page_seconds = _page_visits(response, modules, started, [round(rng.uniform(40, 300), 1) for _ in modules])
    response.revision = len(modules)
    response.save()
    readmodel_upsert([response], response.version.questionnaire)
    return {}


def _page_visits(response: Response, modules: list[str], started: dt.datetime,
                 seconds: list[float] | None = None) -> dict[str, float]:
    """Paradata of the demo's pages (docs/data.md#paradata), drawn from their own generator so the
    demo's answers and dispositions stay as they were; returns the seconds per page."""
    rng = random.Random(response.pk)
    device = rng.choices(["desktop", "phone", "tablet"], weights=[0.75, 0.2, 0.05])[0]
    times = seconds or [round(rng.uniform(40, 300), 1) for _ in modules]
    at, visits = started, []
    for code, spent in zip(modules, times, strict=True):
        revisit = rng.random() < 0.1
        visits.append(PageVisit(response=response, module_code=code, first_seen_at=at, mode=Response.Mode.WEB,
                                last_saved_at=at + dt.timedelta(seconds=spent), active_seconds=spent,
                                visits=2 if revisit else 1, device=device))
        at += dt.timedelta(seconds=spent + rng.uniform(1, 20))
    PageVisit.objects.bulk_create(visits, ignore_conflicts=True)  # the demo may be loaded twice
    return {v.module_code: v.active_seconds for v in visits}
