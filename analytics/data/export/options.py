"""What an export contains: filters and presentation, as one value a job can store and replay."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

FORMATS = {"csv": ".csv", "xlsx": ".xlsx", "sav": ".sav", "dta": ".dta", "parquet": ".parquet",
           "datapackage": ".zip"}  # a Frictionless data package: responses.csv + datapackage.json
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "parquet": "application/vnd.apache.parquet",
    "datapackage": "application/zip",
}
STATUSES = ("invited", "started", "submitted")
MODES = ("web", "cati", "interview", "import")


@dataclass(frozen=True)
class ExportOptions:
    format: str = "csv"
    waves: tuple[str, ...] = ()  # wave codes; empty = every wave
    statuses: tuple[str, ...] = ("submitted",)  # final disposition; empty = every status
    modes: tuple[str, ...] = ()
    since: dt.datetime | None = None  # on submitted_at, or started_at for unsubmitted cases
    until: dt.datetime | None = None
    labels: bool = False  # value labels instead of codes (CSV, XLSX, Parquet; SPSS/Stata always carry both)
    language: str = "en"
    clean: bool = True  # True: off the skip path = -7; False (raw): left empty
    include_identifiers: bool = False  # names, tax ids, contacts: only for users allowed to see them
    free_text: bool = True
    values: str = "edited"  # "edited": the editors' values where they changed any (docs/editing.md); "raw": as answered
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r}; choose one of {', '.join(FORMATS)}")
        if self.values not in ("raw", "edited"):
            raise ValueError(f"values must be raw or edited, not {self.values!r}")
        bad = [s for s in self.statuses if s not in STATUSES] + [m for m in self.modes if m not in MODES]
        if bad:
            raise ValueError(f"unknown status or mode: {', '.join(bad)}")

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("since", "until"):
            data[key] = data[key].isoformat() if data[key] else None
        for key in ("waves", "statuses", "modes"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_json(cls, data: dict) -> ExportOptions:
        values = dict(data)
        for key in ("since", "until"):
            values[key] = dt.datetime.fromisoformat(values[key]) if values.get(key) else None
        for key in ("waves", "statuses", "modes"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)

    @property
    def is_paradata(self) -> bool:
        """A paradata export (analytics.data.export.paradata): three tables in one zip."""
        return self.extra.get("dataset") == "paradata"

    @property
    def extension(self) -> str:
        return ".zip" if self.is_paradata else FORMATS[self.format]
