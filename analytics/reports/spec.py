"""How a report is declared: a grouping (the columns) and blocks (the rows and their statistic).

Conditions are tiny strings over read-model columns: "A2_3 == 1", "B_SUBGROUP in (1, 2)",
"BA7_1 == 1", "A_INDUSTRY == 'FURN'", "A1_2 notna". They select the base of a report or block.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from analytics.stats.significance import DEFAULT_STARS

_COND = re.compile(r"^\s*(\w+)\s*(==|!=|>=|<=|>|<|in|notna)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    value: object = None

    @classmethod
    def parse(cls, text: str) -> Condition:
        match = _COND.match(text)
        if not match:
            raise ValueError(f"cannot read condition {text!r}")
        column, op, raw = match.groups()
        value = ast.literal_eval(raw) if raw else None
        if op == "in" and not isinstance(value, (tuple, list)):
            value = (value,)
        return cls(column, op, value)

    def __str__(self) -> str:
        return f"{self.column} {self.op} {self.value!r}" if self.op != "notna" else f"{self.column} answered"


@dataclass(frozen=True)
class Grouping:
    """The columns of a table: levels of one variable (tested against each other) and/or the whole
    base, or overlapping `series` of (key, label, condition) such as all firms vs plant owners."""

    column: str = ""
    levels: tuple = ()  # codes in print order; () = the variable's value labels
    labels: tuple = ()  # printed labels of the levels; () = value labels
    whole: bool = True
    whole_label: str = "Whole sample"
    series: tuple = ()


WHOLE = Grouping()


@dataclass(frozen=True)
class Block:
    id: str
    title: str
    kind: str  # categorical | rates | means | likert | selections | ratio
    variables: tuple = ()  # read-model columns
    item: str = ""  # or every choice / row / part variable of this item, in codebook order
    labels: dict = field(default_factory=dict)  # code or variable -> printed label
    order: tuple = ()  # categories in print order; () = value labels
    rest_label: str = ""  # fold categories not in `order` into one row with this label
    observed: bool = False  # list only the codes that occur (long code lists such as countries)
    at_least: tuple = ()  # extra rows "k or more" (distributions of counts)
    base: tuple = ()  # conditions on top of the report's base
    base_label: str = ""
    statistic: str = ""  # count_pct | pct | count | mean | mean_sd | top | dist ('' = by kind)
    scale: float = 1.0  # divide values before averaging (k EUR -> EUR million)
    decimals: int | None = None
    test: str = "auto"  # auto | chi2 | fisher | welch | mann-whitney | none
    chart: str = ""  # bar | grouped | stacked | none ('' = by kind and columns)
    structural: tuple = ()  # (row code, column key) pairs printed as a structural zero "—"
    likert_scale: tuple = (1, 2, 3, 4, 5)
    top: tuple = (4, 5)
    denominator: str = ""  # ratio blocks: sum(x * d) / sum(d)
    grouping: Grouping | None = None  # overrides the report's grouping
    note: str = ""
    magnitude: bool = False  # means of turnover or employees: threshold and dominance rules apply


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    instrument: str  # questionnaire code
    source: str = ""  # "IT Table 2", "BQ Fig 12"
    grouping: Grouping = WHOLE
    blocks: tuple = ()
    base: tuple = ()  # conditions applying to every block
    base_label: str = "submitted responses"
    pct_decimals: int = 1
    stars: tuple = DEFAULT_STARS
    stars_legend: str = "*** p < 0.01, ** p < 0.05, * p < 0.10"
    notes: tuple = ()
    includes: tuple = ()  # a collection: the names of other reports, shown one after another

    def describe(self) -> dict:
        return {"name": self.name, "title": self.title, "source": self.source, "instrument": self.instrument,
                "pct_decimals": self.pct_decimals, "stars": [list(s) for s in self.stars],
                "stars_legend": self.stars_legend, "notes": list(self.notes), "base_label": self.base_label}
