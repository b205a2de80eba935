"""One small world for the proof tests: a case per respondent state, a user per role, one object of
every kind a staff URL names (wave, sample, import, telephone case, export job)."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from surveys.accounts.roles import ADMINISTRATOR, ANALYST, FIELDWORK, INTERVIEWER, role_assign, roles_install
from surveys.cati.calls import cati_cases_open, outcome_codes_install
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import CatiCase, PopulationImport
from tests.factories import FirmFactory, RegisterFirmFactory

PAGE1 = {"Q1": "1990", "Q2": "12000", "Q3": "1", "Q4": "30.5", "Q5.D": "70", "Q5.A": "30"}
PAGE2 = {"Q6": "1", "Q7": ["EU"], "Q8.1": "3", "Q8.EU": "4", "Q9": "FR"}
PAGE3 = {"Q11": "3"}
ROLES = {"administrator": ADMINISTRATOR, "fieldwork": FIELDWORK, "analyst": ANALYST, "interviewer": INTERVIEWER}


@dataclass
class World:
    version: object
    wave: object
    invitation: object  # nobody has answered it yet
    token: str  # its personal link
    submitted_token: str
    case: CatiCase
    users: dict
    sample: object
    population_import: object
    export_job: object  # done and downloadable, created by the analyst

    @property
    def code(self) -> str:
        return self.version.questionnaire.code


def _user(name: str, role: str | None, **extra):
    user = get_user_model().objects.create_user(name, f"{name}@agency.example", "pw-" + name, **extra)
    if role:
        role_assign(user=user, role=role)
    return user


def build_world(version, media_root) -> World:
    from django.utils import timezone

    from analytics.models import ExportJob
    from surveys.answering.saves import response_save_page, response_submit
    from surveys.fieldwork.sampling import sample_draw

    roles_install()
    outcome_codes_install()
    users = {name: _user(name, role) for name, role in ROLES.items()}
    users["superuser"] = _user("root", None, is_staff=True, is_superuser=True)
    users["nobody"] = _user("nobody", None, is_staff=True)  # staff flag, no role
    wave = wave_default(questionnaire=version.questionnaire)
    fresh, token, _ = invitation_issue(wave=wave, firm=FirmFactory())
    done, submitted_token, _ = invitation_issue(wave=wave, firm=FirmFactory())
    for revision, (module, page) in enumerate([("M1", PAGE1), ("M2", PAGE2), ("M3", PAGE3)]):
        response_save_page(response_id=done.response.pk, module_code=module, raw=page, revision=revision)
    response_submit(response_id=done.response.pk)
    phone, _, _ = invitation_issue(wave=wave, firm=FirmFactory())
    cati_cases_open(invitations=[phone], interviewer=users["interviewer"])
    RegisterFirmFactory.create_batch(6, district="TV_FURN")
    sample = sample_draw(wave=wave, name="main", strata_fields=["district"], size=2, seed=1)
    record = PopulationImport.objects.create(file=ContentFile(b"P.IVA;Ragione sociale\n0123;Alfa\n", name="f.csv"),
                                             original_name="f.csv", options={"encoding": "auto"})
    job = ExportJob.objects.create(questionnaire=version.questionnaire, created_by=users["analyst"], format="csv",
                                   options={"format": "csv"}, status=ExportJob.Status.DONE, progress=100, rows=1,
                                   expires_at=timezone.now() + timezone.timedelta(hours=1))
    job.file.save("export.csv", ContentFile(b"a,b\n1,2\n"))
    return World(version=version, wave=wave, invitation=fresh, token=token, submitted_token=submitted_token,
                 case=CatiCase.objects.get(invitation=phone), users=users, sample=sample,
                 population_import=record, export_job=job)


@pytest.fixture
def world(mini_version, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world(mini_version, tmp_path)


def hostile_xlsx(ref: str = "A1:XFD1048576", extra_row: str = "") -> bytes:
    """A 1.5 KB workbook whose first sheet claims `ref` (and optionally holds a far-away cell)."""
    sheet = (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{ref}"/>'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>identifier</t></is></c>'
             f'<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>{extra_row}</sheetData></worksheet>')
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                        f'<Relationship Id="rId1" Type="{rels}/officeDocument" Target="xl/workbook.xml"/>'
                        '</Relationships>'),
        "xl/workbook.xml": ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                            f'xmlns:r="{rels}"><sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets>'
                            '</workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": sheet,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
    return out.getvalue()

