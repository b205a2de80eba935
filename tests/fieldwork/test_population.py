"""Population import: encodings, number formats, mapping, upsert, and bad files that change nothing."""
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.fieldwork.population import population_check, population_import
from surveys.models import Firm
from surveys.tabular import decimal_mark, parse_number
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db

AIDA = (
    "Partita IVA;Ragione sociale;Ateco 2007;Dipendenti;Ricavi delle vendite;Provincia;Comune;Paese;PEC\n"
    "01234567890;Mobilificio Pérez S.r.l.;31.01;45;1.234.567,89;Treviso;Oderzo;IT;info@perez.example\n"
    "IT 0987 6543 210;Occhialeria Dolomiti SpA;32.50;310;52.000.000,00;Belluno;Agordo;IT;\n"
)


def write(tmp_path, text, encoding="utf-8", name="firms.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_italian_register_extract_with_bom_and_comma_decimals_is_imported(tmp_path):
    report = population_import(path=write(tmp_path, AIDA, "utf-8-sig"))
    assert report.ok and report.applied and (report.created, report.updated) == (2, 0)
    assert report.encoding == "utf-8-sig" and report.delimiter == ";"
    firm = Firm.objects.get(identifier="01234567890")
    assert firm.name == "Mobilificio Pérez S.r.l." and firm.turnover == Decimal("1234567.89")
    assert firm.employees == 45 and firm.industry_code == "31.01" and firm.region == "Treviso"
    assert firm.language == "it" and firm.email == "info@perez.example"
    assert firm.attributes == {"comune": "Oderzo"}
    assert Firm.objects.get(identifier="IT09876543210").turnover == Decimal("52000000.00")


def test_latin1_file_is_detected_and_read(tmp_path):
    report = population_import(path=write(tmp_path, AIDA, "latin-1"))
    assert report.ok and report.encoding == "latin-1"
    assert Firm.objects.get(identifier="01234567890").name == "Mobilificio Pérez S.r.l."


def test_spanish_and_english_number_formats():
    assert decimal_mark(["1.234.567,89", "12,5"], ".") == ","
    assert decimal_mark(["1,234,567.89", "3.75"], ",") == "."
    assert decimal_mark(["1.234.567"], ",") == ","
    assert decimal_mark(["1.234"], ",") == ","  # ambiguous: the file's convention decides
    assert parse_number("1.234.567,89 €", ",") == Decimal("1234567.89")
    assert parse_number("1,234,567.89", ".") == Decimal("1234567.89")


def test_second_import_updates_by_identifier_keeps_pseudonym_and_unmentioned_values(tmp_path):
    population_import(path=write(tmp_path, AIDA))
    before = Firm.objects.get(identifier="01234567890")
    update = ("Partita IVA;Ragione sociale;Dipendenti;Cluster\n"
              "01234567890;Mobilificio Pérez S.r.l.;50;legno-arredo\n"
              "05555555555;Nuova Meccanica;12;\n")
    report = population_import(path=write(tmp_path, update, name="update.csv"), source="chamber-2016")
    assert (report.created, report.updated) == (1, 1)
    after = Firm.objects.get(identifier="01234567890")
    assert after.pseudonym == before.pseudonym and after.employees == 50
    assert after.turnover == before.turnover and after.email == before.email  # not in the file: kept
    assert after.cluster == "legno-arredo"
    assert after.attributes == {"comune": "Oderzo", "source": "chamber-2016"}  # merged, not replaced


def test_mapping_given_by_the_user_and_xlsx(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["CIF", "Empresa", "Facturación (miles EUR)", "Plantilla", "Idioma"])
    sheet.append(["B95000001", "Industrias Basque SL", 2500.5, 80, "es"])
    sheet.append([12345678, "Otra SA", "1.200", 9, "es"])
    path = tmp_path / "spri.xlsx"
    book.save(path)
    report = population_import(path=path, mapping={"CIF": "identifier", "Empresa": "name",
                                                   "Facturación (miles EUR)": "turnover", "Plantilla": "employees",
                                                   "Idioma": "language"}, turnover_multiplier="1000")
    assert report.ok, report.lines()
    assert Firm.objects.get(identifier="B95000001").turnover == Decimal("2500500.00")
    assert Firm.objects.get(identifier="12345678").employees == 9


# ------------------------------------------------------------------ bad files change nothing
@pytest.fixture
def existing():
    return FirmFactory(identifier="01234567890", name="Old name", employees=3)


def unchanged(existing) -> bool:
    existing_now = Firm.objects.get(pk=existing.pk)
    return Firm.objects.count() == 1 and existing_now.name == "Old name" and existing_now.employees == 3


def test_wrong_encoding_is_reported_with_the_line_and_changes_nothing(tmp_path, existing):
    report = population_import(path=write(tmp_path, AIDA, "latin-1"), encoding="utf-8")
    assert not report.applied and "line 2" in report.file_errors[0] and "Latin-1" in report.file_errors[0]
    report = population_import(path=write(tmp_path, AIDA, "utf-16", name="u16.csv"))
    assert not report.applied and "UTF-16" in report.file_errors[0]
    assert unchanged(existing)


def test_missing_columns_are_named_and_change_nothing(tmp_path, existing):
    report = population_import(path=write(tmp_path, "Ragione sociale;Dipendenti\nA;3\n"))
    assert not report.applied
    assert "Missing required columns: identifier" in report.file_errors[0]
    assert "Ragione sociale" in report.file_errors[0]
    assert unchanged(existing)


def test_duplicate_identifiers_are_reported_by_line_and_change_nothing(tmp_path, existing):
    text = AIDA + "01234567890;Same firm twice;31.01;5;10,0;Treviso;Oderzo;IT;\n"
    report = population_import(path=write(tmp_path, text))
    assert not report.applied
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (4, "Partita IVA", "duplicate identifier, already on line 2")]
    assert unchanged(existing)


def test_non_numeric_turnover_is_reported_and_changes_nothing_unless_valid_rows_are_accepted(tmp_path, existing):
    text = AIDA.replace("52.000.000,00", "about fifty million")
    report = population_import(path=write(tmp_path, text))
    assert not report.applied and report.valid == 1
    assert report.lines() == ["line 3, column 'Ricavi delle vendite': not a number ('about fifty million')"]
    assert unchanged(existing)
    report = population_import(path=write(tmp_path, text), accept_valid=True)
    assert report.applied and (report.created, report.updated) == (0, 1)
    assert Firm.objects.get(identifier="01234567890").name == "Mobilificio Pérez S.r.l."
    assert not Firm.objects.filter(identifier="IT09876543210").exists()


def test_bad_values_in_several_columns_are_all_listed(tmp_path):
    text = ("VAT;Name;Employees;Email;Market\n"
            ";No id;3;a@b.example;B2B\n"
            "X1;Bad;-2;not-an-email;retail\n")
    checked = population_check(path=write(tmp_path, text))
    assert [(e.line, e.column) for e in checked.report.errors] == [
        (2, "VAT"), (3, "Employees"), (3, "Email"), (3, "Market")]


def test_import_firms_command_reports_and_fails_on_errors(tmp_path, existing):
    path = write(tmp_path, AIDA.replace("45", "forty-five"))
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_firms", str(path))
    assert unchanged(existing)
    call_command("import_firms", str(path), "--accept-valid")
    assert Firm.objects.filter(identifier="IT09876543210").exists()


def test_import_firms_command_mapping_option(tmp_path, capsys):
    path = write(tmp_path, "code,label,staff\nA-1,Alpha,7\n")
    call_command("import_firms", str(path), "--mapping", "code=identifier", "label=name", "staff=employees")
    assert Firm.objects.get(identifier="A1").employees == 7
    assert "1 created, 0 updated" in capsys.readouterr().out
