"""Plausible submitted responses for demos, load tests and benchmarks.

Each page is drawn at random and then passed through the same validation as the web form
(`validate_page`); a page that breaks a rule is drawn again, so every stored response is one
a respondent could have given.

Drawing and validating is most of the time (3.5 ms a response). For the millions a benchmark
needs, `pool=N` draws N distinct answer sets and then gives each further response one of them at
random (a bootstrap from N valid responses): the distributions are those of the N draws, every
response is still valid, and a million take minutes instead of an hour.
"""
from __future__ import annotations

import datetime as dt
import random

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from surveys.answering.readmodel import readmodel_upsert
from surveys.bulk_copy import objects_copy
from surveys.models import Firm, Invitation, Questionnaire, Response, Wave
from surveys.models.fieldwork import new_pseudonym
from surveys.questionnaire.spec import FieldSpec, Spec, spec_for_version
from surveys.questionnaire.validation import validate_page
from surveys.tokens import new_salt, token_from_salt, token_hash

PAGE_TRIES = 60  # draws of one page before the response starts over
MAX_RESTARTS = 200  # a page may have no valid answer given earlier pages (founded in 2016, sourcing from 2016)


class _Confirmed:
    def __contains__(self, item) -> bool:
        return True


def _number(f: FieldSpec, rng: random.Random):
    cfg = f.item.config
    kind = f.item.kind
    today = dt.date.today().year
    low = cfg.get("min", 0 if kind != "year" else 1950)
    high = cfg.get("max", 100 if kind in ("percent", "split100") else 1000)
    low = today if low == "current_year" else low
    high = today if high == "current_year" else high
    if kind == "year":
        return rng.randint(max(low, 1950), high)
    decimals = int(cfg.get("decimals", 0))
    if high - low > 10_000:  # turnover, employees: mostly small firms, a few large ones
        value = low + min(high - low, int(10 ** rng.uniform(0, 4.5)))
    else:
        value = rng.uniform(low, high)
    return round(value, decimals) if decimals else int(round(value))


def _split(fields: list[FieldSpec], rng: random.Random) -> dict:
    cuts = sorted(rng.randint(0, 100) for _ in range(len(fields) - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    return {f.key: p for f, p in zip(fields, parts, strict=True)}


def _choice_value(f: FieldSpec, rng: random.Random):
    plain = [c for c in f.choices if not c.exclusive]
    if f.kind == "choice":
        return rng.choice(f.choices).code
    exclusive = [c for c in f.choices if c.exclusive]
    if exclusive and rng.random() < 0.1:
        return [rng.choice(exclusive).code]
    most = f.item.config.get("max_selections") or 3
    picked = sorted(rng.sample(range(len(plain)), k=min(len(plain), rng.randint(1, max(1, min(most, 4))))))
    return [plain[i].code for i in picked]


def _value(f: FieldSpec, rng: random.Random):
    if f.kind == "number":
        return _number(f, rng)
    if f.kind in ("choice", "multi"):
        return _choice_value(f, rng)
    if f.kind == "date":
        low = dt.date.fromisoformat(f.item.config.get("min", "2019-01-01"))
        return (low + dt.timedelta(days=rng.randint(0, max(0, (dt.date.today() - low).days)))).isoformat()
    return rng.choice(["As discussed with the management.", "Mostly stable.", "See notes."])


def page_draw(spec: Spec, module, rng: random.Random) -> dict:
    raw: dict = {}
    for item in module.items:
        if not item.required and rng.random() < 0.3:
            continue
        if item.kind == "split100":
            raw.update(_split([f for f in item.fields if f.role == "part"], rng))
            continue
        for f in item.fields:
            if f.role == "other":
                raw[f.key] = "Other answer"
            elif f.role != "notes":
                raw[f.key] = _value(f, rng)
    return raw


def answers_generate(spec: Spec, rng: random.Random) -> dict:
    """One complete, valid set of answers (module by module, redrawing pages that break a rule; warnings
    are confirmed as a respondent would). When earlier pages leave a page no valid answer, the response
    starts over, so any seed and count succeed."""
    problem: tuple = ()
    for _ in range(MAX_RESTARTS):
        answers, problem = _answers_try(spec, rng)
        if not problem:
            return answers
    raise RuntimeError(f"could not draw a valid page {problem[0]}: {problem[1]}")


def _answers_try(spec: Spec, rng: random.Random) -> tuple[dict, tuple]:
    answers: dict = {}
    for module in spec.modules:
        for _ in range(PAGE_TRIES):
            result = validate_page(spec, module.code, page_draw(spec, module, rng), answers, confirmed=_Confirmed())
            if not result.errors:
                answers.update(result.values)
                break
        else:
            return answers, (module.code, result.errors)
    return answers, ()


class _Draws:
    """Answer sets with their derived variables: each drawn afresh, or with `pool`, drawn afresh
    until there are `pool` of them and then picked at random among them."""

    def __init__(self, spec: Spec, rng: random.Random, pool: int = 0):
        self.spec, self.rng, self.pool = spec, rng, pool
        self.kept: list[tuple[dict, dict]] = []

    def next(self) -> tuple[dict, dict]:
        if self.pool and len(self.kept) >= self.pool:
            return self.kept[self.rng.randrange(len(self.kept))]
        answers = answers_generate(self.spec, self.rng)
        drawn = (answers, self.spec.env(answers).derived())
        if self.pool:
            self.kept.append(drawn)
        return drawn


def responses_generate(*, questionnaire: Questionnaire, count: int, seed: int = 1, wave: Wave | None = None,
                       batch: int = 1000, pool: int = 0) -> int:
    """Create `count` submitted responses from new generated firms; returns how many were made.
    `pool`: draw at most this many distinct answer sets and reuse them at random (0: every
    response drawn afresh)."""
    from surveys.fieldwork.invitations import wave_default

    if pool < 0:
        raise ValueError("pool is a number of answer sets, 0 or more")
    wave = wave or wave_default(questionnaire=questionnaire)
    spec = spec_for_version(wave.version)
    rng = random.Random(seed)
    draws = _Draws(spec, rng, pool)
    # a second run with the same seed adds firms after the first run's, instead of clashing with them
    start = Firm.objects.filter(identifier__startswith=_prefix(questionnaire, seed, wave)).count()
    done = 0
    while done < count:
        size = min(batch, count - done)
        _batch_create(questionnaire, wave, spec, draws, seed, start + done, size)
        done += size
    return done


def _prefix(questionnaire, seed: int, wave) -> str:
    return f"GEN-{questionnaire.code[:12]}-{seed}-{wave.pk}-"


@transaction.atomic
def _batch_create(questionnaire, wave, spec: Spec, draws: _Draws, seed: int, offset: int, size: int) -> None:
    rng = draws.rng
    prefix = _prefix(questionnaire, seed, wave)
    language = spec.languages[0]
    firms = _firms_store([
        Firm(identifier=f"{prefix}{offset + n}", name=f"Generated firm {offset + n}", language=language,
             pseudonym=new_pseudonym()) for n in range(size)])
    invitations = []
    for firm in firms:
        salt = new_salt()
        invitations.append(Invitation(wave=wave, firm=firm, token_salt=salt,
                                      token_hash=token_hash(token_from_salt(salt)), language=language))
    invitations = _store(Invitation, invitations)
    now = timezone.now()
    responses = []
    mode = Response.Mode.CATI if "cati" in spec.definition.get("modes", []) else Response.Mode.WEB
    for invitation in invitations:
        answers, derived = draws.next()
        submitted = now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        responses.append(Response(
            invitation=invitation, version=wave.version, status=Response.Status.SUBMITTED, mode=mode,
            language=language, answers=answers, derived=derived, revision=1,
            started_at=submitted - dt.timedelta(minutes=rng.randint(5, 40)), submitted_at=submitted,
            source="generated", updated_at=now))
    responses = _store(Response, responses)
    for response, invitation in zip(responses, invitations, strict=True):
        response.invitation = invitation
        response.version = wave.version
        response.updated_at = now
    readmodel_upsert(responses, questionnaire, shared_answers=bool(draws.pool))


def _store(model, objects: list) -> list:
    """COPY on PostgreSQL (several times faster than bulk_create's INSERT of arrays), bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        return objects_copy(model, objects)
    return model.objects.bulk_create(objects)


def _firms_store(firms: list[Firm], attempts: int = 5) -> list[Firm]:
    """A batch whose 64-bit pseudonym collides with another firm's is drawn again (in a savepoint)."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return _store(Firm, firms)
        except IntegrityError as exc:
            if "pseudonym" not in str(exc) or attempt == attempts - 1:
                raise
            for firm in firms:
                firm.pseudonym = new_pseudonym()
    raise AssertionError("unreachable")
