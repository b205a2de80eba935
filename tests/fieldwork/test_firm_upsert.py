"""The register's bulk write (COPY + set statements on PostgreSQL, bulk_create elsewhere): upsert by
tax id, problems by line, and a register that grows import after import without duplicates."""
from decimal import Decimal

import pytest

from surveys.fieldwork.firm_upsert import firms_upsert
from surveys.fieldwork.population import population_import
from surveys.models import Firm

pytestmark = pytest.mark.django_db

HEADER = "Partita IVA;Ragione sociale;Dipendenti;Ricavi delle vendite;Provincia;Comune;PEC\n"


def register(tmp_path, rows: range, name="register.csv", employees=10):
    path = tmp_path / name
    lines = [f"IT{n:09d};Impresa {n} S.r.l.;{employees};1.234,50;Treviso;Comune {n};impresa{n}@pec.example\n"
             for n in rows]
    path.write_text(HEADER + "".join(lines), encoding="utf-8-sig")
    return path


def test_reimport_updates_by_tax_id_and_keeps_pseudonyms_and_blank_cells(tmp_path):
    report = population_import(path=register(tmp_path, range(300)))
    assert (report.created, report.updated) == (300, 0)
    pseudonyms = dict(Firm.objects.values_list("identifier", "pseudonym"))
    changed = tmp_path / "changed.csv"
    changed.write_text("Partita IVA;Ragione sociale;Dipendenti;Ricavi delle vendite;Cluster\n"
                       "IT 000 000 007;Impresa 7 S.p.A.;;99,00;legno\n", encoding="utf-8")
    report = population_import(path=changed)
    assert (report.created, report.updated) == (0, 1)
    firm = Firm.objects.get(identifier="IT000000007")
    assert firm.name == "Impresa 7 S.p.A." and firm.turnover == Decimal("99.00") and firm.cluster == "legno"
    assert firm.employees == 10 and firm.email == "impresa7@pec.example"  # empty cell / no column: kept
    assert firm.attributes == {"comune": "Comune 7"}  # merged
    assert dict(Firm.objects.values_list("identifier", "pseudonym")) == pseudonyms


def test_new_firms_get_the_model_defaults_where_the_file_is_silent():
    assert firms_upsert(records={"X1": {"identifier": "X1", "name": "Bare", "attributes": {}}}) == (1, 0)
    firm = Firm.objects.get(identifier="X1")
    assert (firm.language, firm.country, firm.email, firm.employees, firm.turnover) == ("en", "", "", None, None)
    assert firm.pseudonym.startswith("F") and len(firm.pseudonym) == 17


def test_problems_are_reported_by_file_line_and_nothing_is_written(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "IT1;Uno;5;1,00;TV;A;uno@pec.example\n"
                    "IT2;Due;cinque;1,00;TV;B;due@pec.example\n"
                    "IT3;;5;1,00;TV;C;not-an-email\n"
                    "IT1;Uno bis;5;1,00;TV;D;\n"
                    "IT4;Quattro;5;1,00;TV;E;\n", encoding="utf-8")
    report = population_import(path=path)
    assert not report.applied and Firm.objects.count() == 0
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "Dipendenti"), (4, "PEC"), (4, "Ragione sociale"), (5, "Partita IVA")]
    report = population_import(path=path, accept_valid=True)
    assert report.applied and (report.created, report.updated) == (1, 0)
    assert list(Firm.objects.values_list("identifier", flat=True)) == ["IT4"]  # IT1 is doubled: left out too


def test_growing_the_register_twice_adds_firms_without_duplicate_ids_or_pseudonyms(tmp_path):
    assert population_import(path=register(tmp_path, range(0, 400), "one.csv")).created == 400
    report = population_import(path=register(tmp_path, range(200, 700), "two.csv", employees=11))
    assert (report.created, report.updated) == (300, 200)
    firms = list(Firm.objects.values_list("identifier", "pseudonym", "employees"))
    assert len(firms) == 700
    assert len({f[0] for f in firms}) == 700 and len({f[1] for f in firms}) == 700
    assert {f[2] for f in firms if f[0] < "IT000000200"} == {10}
    assert {f[2] for f in firms if f[0] >= "IT000000200"} == {11}


@pytest.mark.parametrize("address", ["info@perez.example", "a.b+c_d-e@mail.pec.it", "x@sub-1.example.co.uk"])
def test_the_plain_address_shortcut_accepts_only_what_djangos_validator_accepts(address):
    from django.core.validators import validate_email

    from surveys.fieldwork.population import _PLAIN_EMAIL

    assert _PLAIN_EMAIL.fullmatch(address)
    validate_email(address)


@pytest.mark.parametrize("address", ["a..b@example.com", "a@-x.example", "a@example", "@example.com", "a@b.c"])
def test_addresses_outside_the_shortcut_still_meet_djangos_validator(address):
    from django.core.exceptions import ValidationError

    from surveys.fieldwork.population import _email

    with pytest.raises(ValidationError):
        _email(address)


def test_a_nul_character_deep_in_a_large_file_is_refused_with_its_line(tmp_path):
    path = register(tmp_path, range(300))
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[250] = lines[250].replace("Impresa", "Imp\x00resa")
    path.write_text("".join(lines), encoding="utf-8")
    report = population_import(path=path)
    assert report.file_errors == ["line 251: the file contains a NUL character, which no text cell may hold."]
    assert not report.applied and Firm.objects.count() == 0
