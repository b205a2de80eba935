"""Who may open what: respondents through their token, staff through roles.

One look-up per object type a URL names; each answers 404 for anything it may not open.
"""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from surveys.compiled import CompiledLookup
from surveys.models import CatiCase, Invitation, PopulationImport, Questionnaire, Sample, Wave
from surveys.models.questionnaire import version_heavy_fields
from surveys.tokens import token_hash

# Every respondent request starts here: only the response and its version are joined (the firm and
# the wave load on the few screens that show them; compiled specs are cached by version id), and
# the SQL is compiled once per process.
_BY_TOKEN_HASH = CompiledLookup(
    lambda digest: (Invitation.objects.select_related("response", "response__version")
                    .defer(*version_heavy_fields("response__version__")).filter(token_hash=digest)),
    placeholder="token-hash")


def invitation_for_token(token: str) -> Invitation:
    """The invitation a personal link opens; 404 for anything else (no hint whether it existed)."""
    if not token or len(token) > 64:
        raise Http404
    invitation = _BY_TOKEN_HASH.get(token_hash(token))
    if invitation is None:
        raise Http404
    return invitation


def cati_case_for_user(user, pk: int) -> CatiCase:
    """A telephone case the user may work on: one assigned to them, any for supervisors; else 404."""
    cases = CatiCase.objects.select_related("invitation__firm", "invitation__wave__questionnaire", "interviewer",
                                            "invitation__response__version", "last_outcome", "locked_by"
                                            ).defer(*version_heavy_fields("invitation__response__version__"))
    if not user.has_perm("surveys.supervise_cati"):
        cases = cases.filter(interviewer=user)
    try:
        return cases.get(pk=pk)
    except CatiCase.DoesNotExist:
        raise Http404 from None


def questionnaire_for_code(code: str) -> Questionnaire:
    return get_object_or_404(Questionnaire, code=code)


def wave_for_id(wave_id: int) -> Wave:
    return get_object_or_404(Wave.objects.select_related("questionnaire", "version"), pk=wave_id)


def sample_for_id(sample_id: int) -> Sample:
    return get_object_or_404(Sample.objects.select_related("wave__questionnaire", "created_by"), pk=sample_id)


def population_import_for_id(import_id: int) -> PopulationImport:
    return get_object_or_404(PopulationImport, pk=import_id)
