"""Definition files in and out: a YAML file or an XLSX workbook -> a checked definition -> a version.

Everything is checked before anything is stored; each problem names its sheet, row and column
(workbooks) or its item code (YAML). Exports write the authored form kept with the version, so a
questionnaire goes out and back in unchanged (same checksum, same codebook).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

import yaml

from analytics.reports.declared import tables_check
from surveys.authoring.workbook_read import workbook_read, workbook_sheets
from surveys.authoring.workbook_write import workbook_bytes
from surveys.models import Questionnaire, QuestionnaireVersion, ReferenceList
from surveys.questionnaire.definitions import (
    INSTRUMENT_DIR,
    DefinitionError,
    normalise,
    read_reference_lists,
    version_store,
)
from surveys.tabular import ImportFileError

MAX_SOURCE_BYTES = 10 * 1024 * 1024
FORMATS = ("xlsx", "yaml")
CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
_NAMED = re.compile(r"^(item|derived|module) (\S+?)(?=[: ])")


@dataclass
class Parsed:
    """A definition file read and checked: `definition` is None when `problems` is not empty."""

    name: str
    source_format: str
    content: bytes
    raw: dict = field(default_factory=dict)
    definition: dict | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def source(self) -> dict:
        return {"source_name": self.name[:200], "source_format": self.source_format,
                "source_checksum": hashlib.sha256(self.content).hexdigest(), "source_file": self.content,
                "authored": _authored(self.raw)}


def _authored(raw: dict) -> dict:
    """The authored form as the database can store it (a draft with problems may hold anything)."""
    try:
        text = json.dumps(raw, default=str, allow_nan=False, ensure_ascii=False)
    except ValueError:
        return {}
    return json.loads(text.replace("\\u0000", ""))


def reference_lists_current() -> dict[str, dict]:
    """The shipped reference lists (countries included), with any list stored only in the database."""
    lists = read_reference_lists()
    for ref in ReferenceList.objects.exclude(code__in=list(lists)).prefetch_related("entries"):
        lists[ref.code] = {"title": ref.title, "entries": [
            {"code": e.code, "label": e.label, "definition": e.definition, "attributes": e.attributes or {}}
            for e in ref.entries.all()]}
    return lists


def source_format(name: str, content: bytes) -> str:
    if content[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx"):
        return "xlsx"
    return "yaml"


def definition_parse(*, content: bytes, name: str, code: str | None = None) -> Parsed:
    """Read and check a definition file completely; never writes."""
    name = name.replace("\x00", "")[:200]
    parsed = Parsed(name=name, source_format=source_format(name, content), content=content)
    if not content.strip():
        parsed.problems.append("the file is empty")
        return parsed
    if len(content) > MAX_SOURCE_BYTES:
        parsed.problems.append(f"the file is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB")
        return parsed
    origins: dict[str, tuple[str, int]] = {}
    if parsed.source_format == "xlsx":
        try:
            result = workbook_read(workbook_sheets(content), code=code)
        except ImportFileError as exc:
            parsed.problems.append(str(exc))
            return parsed
        parsed.raw, origins = result.raw, result.origins
        parsed.problems += [str(p) for p in result.problems]
        flagged = {(p.sheet, p.row) for p in result.problems}
    else:
        parsed.raw = _yaml_raw(content, parsed.problems)
        if code and parsed.raw:
            parsed.raw["code"] = code
        flagged = set()
    if not parsed.raw:
        return parsed
    parsed.problems += _storable(parsed.raw, checked_code=parsed.source_format == "xlsx")
    if parsed.problems and parsed.source_format != "xlsx":
        return parsed
    # the engine's checks run even after layout problems, so one pass lists (nearly) everything;
    # a row already reported is not reported again for what follows from the same mistake
    try:
        definition = normalise(parsed.raw, reference_lists_current(), source=name)
        errors = tables_check(definition)
    except DefinitionError as exc:
        definition, errors = None, exc.errors
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a shape the layout check let through
        definition, errors = None, [f"the definition cannot be read ({exc.__class__.__name__}: {exc})"]
    parsed.problems += [_located(e, origins) for e in errors if _origin(e, origins) not in flagged]
    if not parsed.problems:
        parsed.definition = definition
    return parsed


def _storable(raw: dict, checked_code: bool) -> list[str]:
    """What the database would refuse: a malformed code, infinite numbers, NUL characters."""
    problems = []
    code = raw.get("code")
    if not checked_code and not (isinstance(code, str) and CODE.fullmatch(code)):
        problems.append(f"code {code!r}: a questionnaire code is lower-case letters, digits and hyphens (at most 60)")
    try:
        text = json.dumps(raw, default=str, allow_nan=False)
    except ValueError:
        return [*problems, "a number is too large (infinite or not a number)"]
    if "\\u0000" in text:
        problems.append("a text contains a NUL character")
    return problems


def _yaml_raw(content: bytes, problems: list[str]) -> dict:
    if b"\x00" in content:
        problems.append("this is a binary file, neither YAML nor an XLSX workbook")
        return {}
    try:
        raw = yaml.safe_load(content.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append("the file is not UTF-8 text")
        return {}
    except yaml.YAMLError as exc:
        problems.append(f"not valid YAML: {exc}")
        return {}
    if not isinstance(raw, dict):
        problems.append("a definition file holds a mapping (code, title, modules, ...)")
        return {}
    return raw


def _origin(error: str, origins: dict[str, tuple[str, int]]) -> tuple[str, int] | None:
    match = _NAMED.match(error) or re.match(r"^(table) (\S+ row \d+|\S+)(?=:)", error)
    return origins.get(f"{match[1]} {match[2]}") if match else None


def _located(error: str, origins: dict[str, tuple[str, int]]) -> str:
    """'item B1: ...' -> 'survey row 12 (item B1): ...' when the item came from a workbook row."""
    match = _NAMED.match(error)
    if match:
        origin = origins.get(f"{match[1]} {match[2]}")
        if origin:
            return f"{origin[0]} row {origin[1]} ({error[:match.end()]}){error[match.end():]}"
    match = re.match(r"^table \S+ row \d+|^table \S+(?=:)", error)
    if match and (origin := origins.get(match[0])):
        return f"{origin[0]} row {origin[1]} ({match[0]}){error[match.end():]}"
    return error


def version_import(*, content: bytes, name: str, code: str | None = None) -> tuple[QuestionnaireVersion, str]:
    """Check a definition file and store it as a version (DefinitionError listing every problem)."""
    parsed = definition_parse(content=content, name=name, code=code)
    if parsed.problems:
        raise DefinitionError(name, parsed.problems)
    return definition_publish(parsed=parsed)


def definition_publish(*, parsed: Parsed) -> tuple[QuestionnaireVersion, str]:
    from surveys.answering.readmodel import readmodel_ensure

    version, what = version_store(parsed.definition, parsed.source)
    readmodel_ensure(version.questionnaire)
    return version, what


# ------------------------------------------------------------------ export
def authored_form(version: QuestionnaireVersion) -> dict:
    """The definition as authored; versions stored before sources were kept fall back to the seed file."""
    if version.authored:
        return version.authored
    seed = INSTRUMENT_DIR / f"{version.questionnaire.code}.yaml"
    if seed.exists() and version.questionnaire.latest_version() == version:
        return _authored(yaml.safe_load(seed.read_text(encoding="utf-8")))
    raise DefinitionError(str(version), ["this version has no stored source; load it again from its file"])


def definition_export(*, questionnaire: Questionnaire, fmt: str, version: QuestionnaireVersion | None = None) -> bytes:
    """The questionnaire's (latest) version as a workbook or a YAML file."""
    version = version or questionnaire.latest_version()
    if version is None:
        raise DefinitionError(questionnaire.code, ["the questionnaire has no version"])
    if fmt == "yaml" and version.source_format == "yaml" and version.source_file:
        return bytes(version.source_file)  # the file as written, comments included
    raw = authored_form(version)
    if fmt == "yaml":
        return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120).encode()
    return workbook_bytes(raw)
