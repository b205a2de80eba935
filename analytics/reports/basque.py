"""BQ Figures 10-41, Table 4 and the B8 text check of Kamp et al. (2019), instrument B (§4.B).

The figure images are not in the seed, so the structure (item, base, grouping, statistic) is the
specification's; numbers quoted in the text are the accuracy targets. Percentages print as whole
numbers, as in the paper. Sub-group figures (35-41, Table 4) compare sub-group 1 and 2 only.
"""
from __future__ import annotations

from analytics.reports.spec import Block, Grouping, Report

CODE = "basque-digital-2019"
ALL = Grouping(whole_label="All firms")
SUBGROUPS = Grouping(column="B_SUBGROUP", levels=(1, 2), labels=("Sub-group 1", "Sub-group 2"), whole=False)
SUBGROUP_BASE = {"base": ("B_SUBGROUP in (1, 2)",), "base_label": "sub-groups 1 and 2 (B2B production firms)"}
ADOPTERS = ("B_ANY_TECH == 1",)
YES_NO = {1: "Yes", 0: "No"}


def fig(number: int, title: str, *blocks: Block, grouping: Grouping = ALL, notes: tuple = ()) -> Report:
    base = SUBGROUP_BASE if grouping is SUBGROUPS else {}
    return Report(name=f"bq-fig-{number}", title=title, instrument=CODE, source=f"BQ Fig {number}",
                  grouping=grouping, blocks=blocks, pct_decimals=0, notes=notes, **base)


def series(condition: str, label: str) -> Grouping:
    return Grouping(whole=False, series=(("all", "All firms", ""), ("subset", label, condition)))


PLANTS = series("BA7_1 == 1", "Firms with production plants outside Basque Country")
CLUSTERED = series("BA5_1 == 1", "Members of cluster associations")

FIGURES = (
    fig(10, "Percentage of companies stating they have or have not adopted any of the digital technologies "
            "proposed in the survey over the last three years",
        Block("any-tech", "Adopted at least one technology", "categorical", ("B_ANY_TECH",), order=(1, 0),
              labels=YES_NO)),
    fig(11, "Percentage of companies by number of digital technologies adopted in the last three years",
        Block("n-tech", "Number of technologies adopted", "categorical", ("B_N_TECH",), order=tuple(range(16)),
              at_least=(1, 2, 10), statistic="pct")),
    fig(12, "Percentage of companies by digital technologies adopted in the last three years",
        Block("adoption", "Adoption rate per technology", "rates", item="B1", statistic="pct")),
    fig(13, "Percentage of companies by number of employees",
        Block("size", "Employees", "categorical", ("BA1",), statistic="pct"),
        Block("size3", "Micro / SMEs / large", "categorical", ("B_SIZE3",), statistic="pct",
              labels={1: "Micro (< 10)", 2: "SMEs (10-249)", 3: "Large (250 or more)"})),
    fig(14, "Percentage of companies by annual turnover (million €)",
        Block("turnover", "Annual turnover", "categorical", ("BA2",), statistic="pct"),
        Block("turnover-cuts", "Turnover thresholds", "rates", ("B_TURN_LT10", "B_TURN_GT250"), statistic="pct",
              labels={"B_TURN_LT10": "Less than EUR 10 million", "B_TURN_GT250": "More than EUR 250 million"})),
    fig(15, "Number of companies in each industrial sector",
        Block("sectors", "Sectoral markets", "rates", item="BA4", statistic="count")),
    fig(16, "Percentage of companies engaged in R&D activities in the Basque Country",
        Block("rd-bc", "R&D", "rates", ("BA8_1",), statistic="pct", labels={"BA8_1": "R&D in the Basque Country"}),
        Block("rd-outside", "R&D outside the Basque Country", "rates", item="BA8.2", statistic="pct")),
    fig(17, "Percentage of companies by type of activity",
        Block("activity", "Type of activity", "categorical", ("B_ACT_FIG17",), statistic="pct"),
        Block("manufacturers", "Manufacturers", "rates", ("B_MANUFACTURER",), statistic="pct",
              labels={"B_MANUFACTURER": "Manufacturers (finished goods, systems and components)"})),
    fig(18, "Percentage of companies with incomes from service provision",
        Block("service-income", "Income from services", "rates", ("B_SERV_INCOME",), statistic="pct",
              labels={"B_SERV_INCOME": "Income from service provision"})),
    fig(19, "Percentage of companies by percentage of turnover derived from services",
        Block("service-share", "Share of turnover from services", "categorical", ("BA6",), statistic="pct"),
        Block("service-gt25", "More than 25 per cent", "rates", ("B_SERV_GT25",), statistic="pct",
              labels={"B_SERV_GT25": "More than 25% of turnover from services"})),
    fig(20, "Percentage of companies by area impacted by digital technologies uptake",
        Block("impact", "Areas impacted", "rates", item="B2", base=ADOPTERS, base_label="adopters",
              statistic="pct")),
    *(fig(number, f"Percentage of companies by {what} (percentage of growth/decrease)",
          Block(f"{key}-change", what.capitalize(), "categorical", (variable,), statistic="pct"),
          Block(f"{key}-up", "Increased", "rates", (flag,), statistic="pct",
                labels={flag: f"{what.capitalize()} increased"}))
      for number, what, key, variable, flag in (
          (21, "turnover", "turnover", "B3_1", "B_TURN_UP"), (22, "productivity", "productivity", "B3_2", "B_PROD_UP"),
          (23, "operating costs", "costs", "B3_3", "B_COST_UP"))),
    fig(24, "Number of companies by digitally transformed business functions",
        Block("functions", "Business functions transformed", "rates", item="B4", base=ADOPTERS, base_label="adopters",
              statistic="count")),
    fig(25, "Percentage of companies by benefits of digital technology adoption",
        Block("benefits", "Benefits", "rates", item="B5", base=ADOPTERS, base_label="adopters", statistic="pct")),
    fig(26, "Percentage of companies with internal skills for digital technology adoption",
        Block("skills", "Internal skills", "categorical", ("B6",), order=(1, 0), statistic="pct")),
    fig(27, "Percentage of companies with production plants outside Basque Country",
        Block("plants", "Plants outside the Basque Country", "rates", ("BA7_1",), statistic="pct",
              labels={"BA7_1": "Production plants outside Basque Country"})),
    fig(28, "Number of companies with production plants in each country",
        Block("plant-countries", "Countries with production plants", "selections", ("BA7_2",), base=("BA7_1 == 1",),
              base_label="firms with plants outside the Basque Country", statistic="count")),
    fig(29, "Percentage of companies with production plants outside Basque Country by digital technologies adopted",
        Block("adoption-plants", "Adoption rate per technology", "rates", item="B1", base=("BA7_1 == 1",),
              base_label="firms with plants outside the Basque Country", statistic="pct")),
    fig(30, "Comparison by percentage of digital technologies adopted by total firms and firms with production "
            "plants outside Basque Country",
        Block("adoption-compare", "Adoption rate per technology", "rates", item="B1", statistic="pct", test="none"),
        grouping=PLANTS),
    fig(31, "Percentage of companies with a membership in Basque cluster associations",
        Block("cluster", "Cluster membership", "rates", ("BA5_1",), statistic="pct",
              labels={"BA5_1": "Member of a Basque cluster association"})),
    fig(32, "Number of companies belonging to each cluster association",
        Block("clusters", "Cluster associations", "rates", item="BA5.2", base=("BA5_1 == 1",),
              base_label="cluster members", statistic="count")),
    fig(33, "Percentage of companies that are members of cluster associations by digital technology adoption",
        Block("adoption-clustered", "Adoption rate per technology", "rates", item="B1", base=("BA5_1 == 1",),
              base_label="cluster members", statistic="pct")),
    fig(34, "Comparison by percentage of digital technology adoption between total firms and members of cluster "
            "associations",
        Block("adoption-compare", "Adoption rate per technology", "rates", item="B1", statistic="pct", test="none"),
        grouping=CLUSTERED),
    fig(35, "Size distribution per sub-group",
        Block("size", "Employees", "categorical", ("BA1",), statistic="pct"), grouping=SUBGROUPS),
    fig(36, "Distribution of growth dynamics per sub-group",
        Block("growth", "Growth dynamics", "categorical", ("B_GROWTH",), statistic="pct"), grouping=SUBGROUPS),
    fig(37, "Distribution of value chain positions per sub-group",
        Block("vc-position", "Value chain position", "categorical", ("B_VC_POS",), statistic="pct"),
        grouping=SUBGROUPS),
    fig(38, "Distribution of adoption of technology set A by sub-group",
        Block("set-a", "Technologies of set A adopted", "categorical", ("B_N_SETA",), order=tuple(range(11)),
              at_least=(1, 4), statistic="pct"),
        Block("no-base", "No technology of the base list (set A)", "rates", ("B_NO_TECH_BASE", "B_NO_TECH_ALL"),
              statistic="pct", labels={"B_NO_TECH_BASE": "None of set A", "B_NO_TECH_ALL": "None of the 15"}),
        grouping=SUBGROUPS),
    fig(39, "Distribution of adoption of technology set B by sub-group",
        Block("set-b", "Technologies of set B adopted", "categorical", ("B_N_SETB",), order=tuple(range(6)),
              at_least=(3,), statistic="pct"), grouping=SUBGROUPS),
    fig(40, "Distribution of opinions on the influence of digital technologies on production backshoring by "
            "sub-group",
        Block("backshoring", "Influence on backshoring", "categorical", ("B10",), statistic="pct"),
        Block("backshoring-any", "Has an influence (decided or real possibility)", "rates", ("B_BS_INFLUENCE",),
              statistic="pct", labels={"B_BS_INFLUENCE": "Decided or real possibility"}),
        grouping=SUBGROUPS, notes=("Sub-group 2 answered a differently worded question (BQ footnote 13, IC-B14).",)),
    fig(41, "Distribution of opinions on the influence of digital technologies on avoiding production offshoring "
            "by sub-group",
        Block("offshoring", "Influence on avoiding offshoring", "categorical", ("B11",), statistic="pct"),
        Block("offshoring-any", "Expects prevention", "rates", ("B_OFFS_PREVENT",), statistic="pct",
              labels={"B_OFFS_PREVENT": "Already avoided or real possibility"}),
        grouping=SUBGROUPS),
)

_DIGITAL = "The use of digital technologies for manufacturing activities "
# BQ Table 4 prints each mechanism as a full statement (instruments.md §2.8): the rows carry them verbatim.
MECHANISMS = {
    "B12_2_M1": _DIGITAL + "improves the production cost competitiveness of locations with high labour costs in "
                           "comparison to countries with low production factor costs",
    "B12_2_M2": _DIGITAL + "improves the quality and agility of production processes and lowers the interest to "
                           "relocate or fragment production steps across space",
    "B12_2_M3": _DIGITAL + "increases the interest of carrying out production close to where new product development "
                           "and R&D take place (intra-organizational perspective)",
    "B12_2_M4": _DIGITAL + "increases the interest of carrying out production close to where the main providers of "
                           "production technology are located and where R&D on production processes takes place "
                           "(inter-organizational perspective)",
    "B12_2_M5": _DIGITAL + "increases the interest of carrying out production close to the end market",
    "B12_2_M6": "Others",
}

TABLE_4 = Report(
    name="bq-table-4", title="Distribution of opinions on the mechanisms through which digital technologies can "
    "influence decisions on production location", instrument=CODE, source="BQ Table 4", grouping=SUBGROUPS,
    **SUBGROUP_BASE,
    pct_decimals=0, notes=("% of the sub-group's B12.1 = yes respondents attributing a strong to a very strong "
                           "power (4-5) to the mechanism.", "Both printed column headers read “sub-group 1”; the "
                           "second is sub-group 2 (IC-B1)."),
    blocks=(
        Block("can-influence", "Digital technologies can influence location decisions (B12.1)", "rates", ("B12_1",),
              statistic="pct", labels={"B12_1": "Yes"}),
        Block("mechanisms", "Mechanisms (strong or very strong)", "likert", item="B12.2", base=("B12_1 == 1",),
              base_label="B12.1 = yes", statistic="top", chart="stacked",
              labels=MECHANISMS),
    ),
)

B8 = Report(
    name="bq-b8", title="Location of the main suppliers of technology and know-how (B8)", instrument=CODE,
    source="BQ §3.4.4", pct_decimals=0,
    grouping=Grouping(column="B_SUBGROUP", levels=(1, 2), labels=("Sub-group 1", "Sub-group 2"),
                      whole_label="All firms"),
    blocks=(Block("b8", "Main technology suppliers", "rates", item="B8", statistic="pct"),),
    notes=("“the lion's share of respondents” is read as > 50% selecting the Basque Country.",),
)

ALL_FIGURES = Report(name="bq-figures", title="Figures 10-41", instrument=CODE, source="BQ Figs 10-41",
                     includes=tuple(f.name for f in FIGURES))

REPORTS = (*FIGURES, TABLE_4, B8, ALL_FIGURES)
FILTERS = {"size": "B_SIZE", "industry": "B_ACT_FIG17"}
DEFAULT_GROUP = "B_SUBGROUP"
