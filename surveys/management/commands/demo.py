"""Demo data for `make run`: instruments, a sample of firms with invitations, generated responses, logins.

Idempotent: firms are keyed by their identifier, invitations are reused, responses are generated
only for an instrument whose default wave has no submitted response yet. Each step is one small
function called from `Command.handle`: to add one (staff roles, say), write a `<thing>_ensure()`
function, call it from `handle` and append its logins to LOGINS so the summary prints them.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from surveys.demo.cati import cati_demo_ensure
from surveys.demo.fieldwork import fieldwork_demo_ensure
from surveys.fieldwork.invitations import invitation_issue, invitation_token, wave_default
from surveys.models import Firm, Invitation, Questionnaire, Response, Wave

INSTRUMENT_A = "italian-districts-2016"
INSTRUMENT_B = "basque-digital-2019"
FIRMS_PER_SAMPLE = 30
RESPONSES_PER_INSTRUMENT = 40
LINKS_SHOWN = 3
# Demo logins printed by the summary, as (role, username, password); `make run` is a local sandbox.
LOGINS = [("superuser", "admin", "admin")]

ITALIAN_NAMES = ["Calzaturificio", "Occhialeria", "Mobilificio", "Sportsystem", "Meccanica", "Tessitura"]
ITALIAN_PLACES = ["Montebelluna", "Belluno", "Livenza", "Manzano", "Vicenza", "Treviso", "Arzignano", "Riviera"]
BASQUE_NAMES = ["Industrias", "Mecanizados", "Fundiciones", "Tecnologías", "Componentes", "Sistemas"]
BASQUE_PLACES = ["Bilbao", "Donostia", "Vitoria-Gasteiz", "Eibar", "Arrasate", "Durango", "Irun", "Getxo"]


def firm_rows(*, prefix: str, country: str, language: str, names: list[str], places: list[str],
              count: int) -> list[dict]:
    """Plain, deterministic firm records (no factories: this runs on a fresh install)."""
    rows = []
    for n in range(count):
        place = places[n % len(places)]
        rows.append({
            "identifier": f"{prefix}{n + 1:09d}", "name": f"{names[n % len(names)]} {place} {n + 1}",
            "language": language, "country": country, "region": place, "employees": 5 + (n * 37) % 400,
            "email": f"firm{n + 1}@{country.lower()}.demo.example", "contact_name": f"Demo contact {n + 1}",
        })
    return rows


SAMPLES = {
    INSTRUMENT_A: dict(prefix="IT-DEMO-", country="IT", language="it", names=ITALIAN_NAMES, places=ITALIAN_PLACES),
    INSTRUMENT_B: dict(prefix="ES-DEMO-", country="ES", language="es", names=BASQUE_NAMES, places=BASQUE_PLACES),
}
SEEDS = {INSTRUMENT_A: 2016, INSTRUMENT_B: 2019}


def instruments_ensure(out) -> None:
    call_command("load_instruments", stdout=out)


def firms_ensure(*, rows: list[dict]) -> list[Firm]:
    firms = []
    for row in rows:
        firm, _ = Firm.objects.get_or_create(identifier=row["identifier"], defaults=row)
        firms.append(firm)
    return firms


@transaction.atomic
def sample_ensure(*, code: str) -> tuple[Wave, int] | None:
    """The instrument's demo firms, each invited to its default wave; returns the wave and new invitations."""
    questionnaire = Questionnaire.objects.filter(code=code).first()
    if questionnaire is None or questionnaire.latest_version() is None:
        return None
    wave = wave_default(questionnaire=questionnaire)
    firms = firms_ensure(rows=firm_rows(count=FIRMS_PER_SAMPLE, **SAMPLES[code]))
    created = sum(invitation_issue(wave=wave, firm=firm)[2] for firm in firms)
    return wave, created


def responses_ensure(*, code: str, wave: Wave, out) -> str:
    """Generated submitted responses, once per wave (the generator makes firms of its own)."""
    if "generate_responses" not in get_commands():
        return "generate_responses is not available yet: no generated responses"
    if Response.objects.filter(invitation__wave=wave, status=Response.Status.SUBMITTED).exists():
        return "submitted responses already present"
    call_command("generate_responses", survey=code, count=RESPONSES_PER_INSTRUMENT, seed=SEEDS[code], stdout=out)
    return f"{RESPONSES_PER_INSTRUMENT} responses generated"


def results_current() -> str:
    """Recompute every dashboard now: generated and demo responses are written in bulk, without the
    per-save recompute, so the stored results would otherwise lag behind (N = 40 while 86 are in)."""
    from analytics.results.services import results_recompute

    lines = []
    for questionnaire in Questionnaire.objects.order_by("code"):
        outcome = results_recompute(questionnaire_id=questionnaire.pk, force=True, trigger="demo")
        lines.append(f"results of {questionnaire.code}: {outcome}")
    return "\n".join(lines)


def admin_ensure() -> None:
    _, username, password = LOGINS[0]
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": True, "email": "admin@demo.example"})
    if created:
        user.set_password(password)
        user.save()


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def respondent_links(*, wave: Wave, prefix: str, count: int = LINKS_SHOWN) -> list[tuple[str, str]]:
    """Personal links of demo firms that have not submitted, to try the questionnaire."""
    invitations = (Invitation.objects.filter(wave=wave, firm__identifier__startswith=prefix)
                   .exclude(response__status=Response.Status.SUBMITTED).select_related("firm")
                   .order_by("firm__identifier")[:count])
    return [(i.firm.name, site_url(reverse("surveys:welcome", kwargs={"token": invitation_token(i)})))
            for i in invitations]


class Command(BaseCommand):
    help = "Load the instruments and create demo firms, invitations, responses and logins (idempotent)."

    def handle(self, *args, **options):
        instruments_ensure(self.stdout)
        waves = {code: self.sample(code) for code in SAMPLES}
        admin_ensure()
        self.stdout.write(fieldwork_demo_ensure())  # sample, invitations, reminders, tracking (docs/fieldwork.md)
        note, logins = cati_demo_ensure()  # roles, demo users, call lists (docs/cati.md, docs/roles.md)
        self.stdout.write(note)
        LOGINS.extend(login for login in logins if login not in LOGINS)
        self.stdout.write(results_current())
        self.summary(waves)

    def sample(self, code: str) -> Wave | None:
        ensured = sample_ensure(code=code)
        if ensured is None:
            self.stdout.write(self.style.WARNING(f"{code}: instrument not loaded (no definition file yet); skipped"))
            return None
        wave, created = ensured
        note = responses_ensure(code=code, wave=wave, out=self.stdout)
        self.stdout.write(f"{code}: wave {wave.code}, {created} new invitations; {note}")
        return wave

    def summary(self, waves: dict[str, Wave | None]) -> None:
        self.stdout.write(self.style.SUCCESS("\nDemo ready."))
        self.stdout.write(f"  Admin: {site_url('/admin/')}")
        for role, username, password in LOGINS:
            self.stdout.write(f"    {role}: {username} / {password}")
        for code, wave in waves.items():
            if wave is None:
                continue
            self.stdout.write(f"  {code}: personal respondent links")
            for name, url in respondent_links(wave=wave, prefix=SAMPLES[code]["prefix"]):
                self.stdout.write(f"    {name}: {url}")
