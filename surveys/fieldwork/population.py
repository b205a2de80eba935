"""Population import: firms from a register extract (CSV or XLSX) upserted by their identifier.

Reading, mapping and checking are pure (`population_check`); writing is one transaction
(`population_import`) that either applies every row or, when the file has errors and the user
did not accept the valid rows, applies none. Line numbers in the report are the file's own
(the header is line 1), so staff can find a row in the spreadsheet they exported.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.fieldwork.firm_upsert import firms_upsert
from surveys.models import Firm
from surveys.tabular import ImportFileError, decimal_mark, parse_number, table_read

# Firm fields an import may set; everything else in the file goes to `attributes`.
FIELDS = ["identifier", "name", "language", "country", "region", "district", "industry_code", "employees",
          "turnover", "market", "cluster", "contact_name", "email", "phone"]
REQUIRED = ["identifier", "name"]
LANGUAGE_OF_COUNTRY = {"IT": "it", "ES": "es", "GB": "en", "IE": "en"}
# Provinces and regions that name their country, for registers without a country column (Italian
# province codes and region names, Spanish provinces and autonomous communities); compared lower-case.
_IT_PROVINCES = ("ag al an ao ap aq ar at av ba bg bi bl bn bo br bs bt bz ca cb ce ch cl cn co cr cs ct cz en fc fe "
                 "fg fi fm fr ge go gr im is kr lc le li lo lt lu mb mc me mi mn mo ms mt na no nu or pa pc pd pe pg "
                 "pi pn po pr pt pu pv pz ra rc re rg ri rm rn ro sa si so sp sr ss su sv ta te tn to tp tr ts tv ud "
                 "va vb vc ve vi vr vt vv").split()
_IT_REGIONS = ("abruzzo", "basilicata", "calabria", "campania", "emilia-romagna", "emilia romagna",
               "friuli-venezia giulia", "friuli venezia giulia", "lazio", "liguria", "lombardia", "marche", "molise",
               "piemonte", "puglia", "sardegna", "sicilia", "toscana", "trentino-alto adige", "umbria",
               "valle d'aosta", "veneto", "treviso", "vicenza", "padova", "verona", "venezia", "milano", "torino",
               "bologna", "firenze", "roma", "napoli", "bergamo", "brescia", "modena", "fermo", "macerata")
_ES_REGIONS = ("araba", "alava", "álava", "araba/álava", "álava/araba", "gipuzkoa", "guipúzcoa", "guipuzcoa",
               "bizkaia", "vizcaya", "euskadi", "país vasco", "pais vasco", "basque country", "navarra", "nafarroa",
               "madrid", "barcelona", "cataluña", "catalunya", "valencia", "sevilla", "andalucía", "andalucia",
               "galicia", "aragón", "aragon", "zaragoza", "asturias", "cantabria", "la rioja", "murcia",
               "castilla y león", "castilla-la mancha", "extremadura", "canarias", "illes balears", "baleares")
COUNTRY_OF_REGION = {**{p: "IT" for p in _IT_PROVINCES}, **{r: "IT" for r in _IT_REGIONS},
                     **{r: "ES" for r in _ES_REGIONS}}
MAX_LENGTH = {f: Firm._meta.get_field(f).max_length for f in FIELDS if f not in ("employees", "turnover")}

# Header names seen in AIDA, chamber of commerce and agency exports (compared after normalising).
SYNONYMS = {
    "identifier": ["identifier", "partita iva", "p iva", "piva", "codice fiscale", "vat", "vat number", "tax id",
                   "nif", "cif", "nif cif", "id"],
    "name": ["name", "ragione sociale", "denominazione", "company", "company name", "razon social",
             "denominacion", "empresa", "nombre"],
    "language": ["language", "lingua", "idioma"],
    "country": ["country", "paese", "nazione", "pais"],
    "region": ["region", "regione", "comunidad autonoma", "provincia", "province"],
    "district": ["district", "distretto", "distrito", "comarca"],
    "industry_code": ["industry code", "ateco", "codice ateco", "ateco 2007", "nace", "nace rev 2", "cnae", "sector"],
    "employees": ["employees", "dipendenti", "numero dipendenti", "addetti", "empleados", "trabajadores"],
    "turnover": ["turnover", "fatturato", "ricavi", "ricavi delle vendite", "facturacion", "ventas", "revenue"],
    "market": ["market", "b2b b2c", "mercato", "mercado"],
    "cluster": ["cluster", "cluster association", "cluster membership"],
    "contact_name": ["contact", "contact name", "contact person", "referente", "contatto", "persona de contacto"],
    "email": ["email", "e mail", "mail", "pec", "correo", "correo electronico"],
    "phone": ["phone", "telephone", "telefono", "tel"],
}



@dataclass
class RowError:
    line: int
    column: str
    message: str
    value: str = ""


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    applied: bool = False
    encoding: str = ""
    delimiter: str = ""
    columns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors

    def as_dict(self, limit: int = 500) -> dict:
        data = asdict(self)
        data["error_count"], data["errors"] = len(self.errors), data["errors"][:limit]
        return data

    def lines(self, limit: int = 50) -> list[str]:
        out = list(self.file_errors)
        out += [f"line {e.line}, column {e.column!r}: {e.message}" + (f" ({e.value!r})" if e.value else "")
                for e in self.errors[:limit]]
        if len(self.errors) > limit:
            out.append(f"... and {len(self.errors) - limit} more row errors")
        return out


# ------------------------------------------------------------------ reading
def _norm(header: str) -> str:
    text = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def mapping_guess(header: list[str]) -> dict[str, str]:
    """Column -> field for columns whose header is a known synonym; the rest go to attributes."""
    lookup = {syn: target for target, names in SYNONYMS.items() for syn in names}
    guessed: dict[str, str] = {}
    for column in header:
        target = lookup.get(_norm(column))
        if target and target not in guessed.values():
            guessed[column] = target
    return guessed


def attribute_key(column: str) -> str:
    return _norm(column).replace(" ", "_") or "column"


# ------------------------------------------------------------------ values
def _employees(value, mark: str, multiplier: Decimal) -> int:
    number = parse_number(value, mark)
    if number != number.to_integral_value() or number < 0:
        raise ValueError(_("must be a whole number of employees, 0 or more"))
    return int(number)


def _turnover(value, mark: str, multiplier: Decimal) -> Decimal:
    number = parse_number(value, mark) * multiplier
    if abs(number) >= Decimal(10) ** 14:
        raise ValueError(_("is too large for a turnover in EUR"))
    return number.quantize(Decimal("0.01"))


_IDENTIFIER_NOISE = re.compile(r"[\s.\-]")


def _identifier(text: str) -> str:
    return _IDENTIFIER_NOISE.sub("", text).upper()


# Plain addresses (most of a register) that Django's validator surely accepts: checked by one regex,
# five times faster on a million rows; anything else goes through validate_email.
_PLAIN_EMAIL = re.compile(r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _email(text: str) -> str:
    text = text.lower()
    if len(text) > 254 or not _PLAIN_EMAIL.fullmatch(text):
        validate_email(text)
    return text


def _market(text: str) -> str:
    text = text.upper().replace(" ", "")
    if text not in ("B2B", "B2C"):
        raise ValueError(_("must be B2B or B2C"))
    return text


def _language(text: str) -> str:
    text = text.lower()[:2]
    if text not in dict(settings.LANGUAGES):
        raise ValueError(_("must be one of {choices}").format(choices=", ".join(dict(settings.LANGUAGES))))
    return text


NUMBER_CLEANERS = {"employees": _employees, "turnover": _turnover}  # value, decimal mark, multiplier -> value
TEXT_CLEANERS = {"identifier": _identifier, "email": _email, "market": _market, "language": _language,
                 "country": str.upper}  # text -> text; other fields are kept as typed


def _clean_cell(target: str, value, mark: str, multiplier: Decimal):
    text = value.strip() if isinstance(value, str) else value
    if text in ("", None):
        return None
    if target in NUMBER_CLEANERS:
        return NUMBER_CLEANERS[target](text, mark, multiplier)
    if isinstance(text, float) and text.is_integer():
        text = int(text)  # a spreadsheet cell holding a code typed as a number
    text = TEXT_CLEANERS.get(target, str)(str(text).strip())
    if len(text) > MAX_LENGTH[target]:
        raise ValueError(_("is longer than {n} characters").format(n=MAX_LENGTH[target]))
    return text


# ------------------------------------------------------------------ checking
@dataclass
class CheckedFile:
    report: ImportReport
    records: dict[str, dict] = field(default_factory=dict)  # identifier -> {field: value, "attributes": {...}}


def population_check(*, path: Path, mapping: dict[str, str] | None = None, encoding: str = "auto",
                     decimal: str = "auto", turnover_multiplier: str | Decimal = "1", source: str = "",
                     default_language: str = "", default_country: str = "") -> CheckedFile:
    """Read, map and validate a file; nothing is written. Row errors carry the file line and column.

    A firm's country comes from the file, else from its province or region, else `default_country`; its
    language from the file, else its country's language, else `default_language`.
    """
    report = ImportReport()
    try:
        table = table_read(path, encoding=encoding)
        header, rows = table.header, table.rows
        detected = {"encoding": table.encoding, "delimiter": table.delimiter}
    except ImportFileError as exc:
        report.file_errors.append(str(exc))
        return CheckedFile(report)
    report.encoding, report.delimiter, report.columns = detected["encoding"], detected["delimiter"], header
    mapping = _resolve_mapping(header, mapping, report)
    report.rows = len(rows)
    if report.file_errors:
        return CheckedFile(report)
    checked = CheckedFile(report)
    marks = _decimal_marks(header, rows, mapping, decimal, detected["delimiter"])
    plan = _column_plan(header, mapping, marks)
    multiplier = Decimal(str(turnover_multiplier))
    seen: dict[str, int] = {}
    for line, cells in rows:
        record = _check_row(line, cells, plan, mapping, multiplier, report)
        if record is None:
            continue
        ident = record["identifier"]
        if ident in seen:
            report.errors.append(RowError(line, _column_of(mapping, "identifier"),
                                          _("duplicate identifier, already on line {line}").format(
                                              line=seen[ident]), ident))
            checked.records.pop(ident, None)
            continue
        seen[ident] = line
        if source:
            record["attributes"]["source"] = source
        _place(record, default_language, default_country.upper())
        checked.records[ident] = record
    report.valid = len(checked.records)
    return checked


def _resolve_mapping(header: list[str], mapping: dict[str, str] | None, report: ImportReport) -> dict[str, str]:
    mapping = dict(mapping_guess(header) if mapping is None else mapping)
    unknown = [c for c in mapping if c not in header]
    bad = [t for t in mapping.values() if t not in FIELDS and not t.startswith("attributes.") and t != "ignore"]
    if unknown:
        report.file_errors.append(_("Mapped columns not in the file: {columns}.").format(columns=", ".join(unknown)))
    if bad:
        report.file_errors.append(_("Unknown target fields: {bad} (firm fields: {fields}).").format(
            bad=", ".join(bad), fields=", ".join(FIELDS)))
    targets = [t for t in mapping.values() if t != "ignore"]
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    if doubled:
        report.file_errors.append(_("Several columns are mapped to {fields}.").format(fields=", ".join(doubled)))
    missing = [f for f in REQUIRED if f not in targets]
    if missing:
        report.file_errors.append(_("Missing required columns: {missing}. Columns in the file: {columns}. Map them "
                                    "with --mapping \"Column=field\".").format(missing=", ".join(missing),
                                                                             columns=", ".join(header)))
    for column in header:
        if column and column not in mapping:
            mapping[column] = f"attributes.{attribute_key(column)}"
    report.mapping = mapping
    return mapping


def _column_of(mapping: dict[str, str], target: str) -> str:
    return next((c for c, t in mapping.items() if t == target), target)


def _decimal_marks(header, rows, mapping, decimal: str, delimiter: str) -> dict[str, str]:
    default = "," if delimiter == ";" else "."
    marks = {}
    for index, column in enumerate(header):
        if mapping.get(column) in ("employees", "turnover"):
            if decimal in (",", "."):
                marks[column] = decimal
            else:
                values = [c[index] for _line, c in rows[:5000] if index < len(c) and isinstance(c[index], str)]
                marks[column] = decimal_mark(values, default)
    return marks


def _column_plan(header, mapping, marks) -> list[tuple[int, str, str, str]]:
    """(cell index, column, target, decimal mark) of every mapped column, worked out once per file."""
    plan = []
    for index, column in enumerate(header):
        target = mapping.get(column, "ignore")
        if target != "ignore" and column:
            plan.append((index, column, target, marks.get(column, ".")))
    return plan


def _check_row(line, cells, plan, mapping, multiplier, report) -> dict | None:
    record: dict = {"attributes": {}}
    ok = True
    width = len(cells)
    for index, column, target, mark in plan:
        value = cells[index] if index < width else ""
        if target.startswith("attributes."):
            if value not in ("", None):
                record["attributes"][target[11:]] = value.strip() if isinstance(value, str) else value
            continue
        try:
            record[target] = _clean_cell(target, value, mark, multiplier)
        except (ValueError, ValidationError, InvalidOperation) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            report.errors.append(RowError(line, column, message, str(value)[:80]))
            ok = False
    for target in REQUIRED:
        if record.get(target) is None and not _has_error(report, line, mapping, target):
            report.errors.append(RowError(line, _column_of(mapping, target), _("is empty")))
            ok = False
    if not ok:
        return None
    # An empty cell leaves the stored value as it is: only what the file carries is written.
    record = {k: v for k, v in record.items() if v is not None}
    record["attributes"] = {k: _json_safe(v) for k, v in record["attributes"].items()}
    return record


def _place(record: dict, default_language: str, default_country: str) -> None:
    if "country" not in record:
        country = COUNTRY_OF_REGION.get(str(record.get("region", "")).strip().lower()) or default_country
        if country:
            record["country"] = country
    if "language" not in record:
        language = LANGUAGE_OF_COUNTRY.get(record.get("country", "")) or default_language
        if language:
            record["language"] = language


def _has_error(report: ImportReport, line: int, mapping: dict, target: str) -> bool:
    column = _column_of(mapping, target)
    return any(e.line == line and e.column == column for e in report.errors[-len(mapping):])


def _json_safe(value):
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


# ------------------------------------------------------------------ writing
def population_import(*, path: Path, accept_valid: bool = False, **options) -> ImportReport:
    """Check the file, then upsert its firms by identifier in one transaction.

    With errors, nothing is written unless `accept_valid` is set (then the valid rows are).
    """
    checked = population_check(path=path, **options)
    report = checked.report
    if report.file_errors or (report.errors and not accept_valid) or not checked.records:
        return report
    report.created, report.updated = firms_upsert(records=checked.records)
    report.applied = True
    return report


# ------------------------------------------------------------------ the import page's record
def upload_create(*, upload, options: dict, user=None):
    """Keep an uploaded register file with its reading options, for mapping and checking."""
    from surveys.models import PopulationImport

    record = PopulationImport(original_name=upload.name[:200], options=options, created_by=user)
    record.file.save(Path(upload.name).name, upload, save=False)
    record.save()
    return record


def upload_columns(record) -> tuple[list[str], dict[str, str], list[str]]:
    """The file's header, the mapping to propose (stored or guessed), and why it cannot be read."""
    try:
        header = table_read(Path(record.file.path), encoding=record.options.get("encoding", "auto")).header
    except ImportFileError as exc:
        return [], {}, [str(exc)]
    return header, record.mapping or mapping_guess(header), []


def upload_run(*, record, mapping: dict[str, str], apply: bool, accept_valid: bool = False) -> ImportReport:
    """Check (apply=False) or import an uploaded file with the chosen mapping; the record keeps the report."""
    from surveys.models import PopulationImport

    options = {k: v for k, v in record.options.items() if k in ("encoding", "decimal", "turnover_multiplier",
                                                                 "source", "default_language", "default_country")}
    path = Path(record.file.path)
    report = (population_import(path=path, mapping=mapping, accept_valid=accept_valid, **options) if apply
              else population_check(path=path, mapping=mapping, **options).report)
    record.mapping, record.report = mapping, report.as_dict()
    if report.applied:
        record.status, record.imported_at = PopulationImport.Status.IMPORTED, timezone.now()
    elif apply:
        record.status = PopulationImport.Status.FAILED
    else:
        record.status = PopulationImport.Status.UPLOADED if report.ok else PopulationImport.Status.CHECKED
    record.save(update_fields=["mapping", "report", "status", "imported_at"])
    return report
