"""IT Tables 1-4 and the text aggregates of Bettiol et al. (2017), instrument A (instruments.md §4.A).

Rows, groups and statistics follow the printed tables; row labels are the printed ones (typos of
the paper are noted, not copied). Bases follow §3.A "Table 3 bases" and §4.A.4; every block
prints its own N.
"""
from __future__ import annotations

from analytics.reports.spec import Block, Grouping, Report

CODE = "italian-districts-2016"
OFFSHORING = Grouping(column="A_OFFSHORING", levels=(0, 1),
                      labels=("Industrial district firms with domestic production",
                              "Offshoring industrial district firms"), whole_label="Whole sample")
OUTSOURCERS = ("A2_3 == 1",)
SIG_NOTE = ("Stars: *** p < 0.01, ** p < 0.05, * p < 0.10 (configurable). The paper's legend reads "
            "“*** Sig. = 0.001 ** Sig. = 0.05”; its stars fit p < 0.01 (IC-A10). P-values are shown.")

TABLE_1 = Report(
    name="it-table-1", title="Sample characteristics", instrument=CODE, source="IT Table 1",
    notes=("% calculated on valid answers.", "* Classes based on EU classification of firms.",
           "Table 1 and Table 2 of the paper disagree on several counts (IC-A2 to IC-A7)."),
    blocks=(
        Block("main-activity", "Main activity", "categorical", ("A1_6",)),
        Block("turnover", "Average turnover (2015), € million", "means", ("A1_2",), scale=1000, decimals=1,
              labels={"A1_2": "Average turnover (2015), ml Euro"}, magnitude=True),
        Block("turnover-split", "Turnover split (mean of firm shares, %)", "means", ("A1_3_IT", "A1_3_AB"),
              labels={"A1_3_IT": "From Italy", "A1_3_AB": "From abroad"}, decimals=1,
              note="Default reading of IC-A25: the mean of the firms' shares."),
        Block("turnover-split-totals", "Turnover split (share of summed turnover, %)", "ratio",
              ("A1_3_IT", "A1_3_AB"), denominator="A1_2", decimals=1,
              labels={"A1_3_IT": "From Italy", "A1_3_AB": "From abroad"},
              note="Alternative reading of IC-A25: a ratio of summed turnovers."),
        Block("employees", "Average total employees (2015)", "means", ("A1_5",), decimals=1, magnitude=True),
        Block("size-class", "Main size class (based on number of employees)*", "rates", ("A_LT50",),
              labels={"A_LT50": "< 50 employees"}, note="Implemented as < 50 (IC-A9)."),
        Block("business-group", "Business group", "rates", ("A2_1",), labels={"A2_1": "Part of a business group"}),
        Block("group-leaders", "Group leaders", "rates", ("A2_2",), base=("A2_1 == 1",),
              base_label="firms in a business group", labels={"A2_2": "Leaders of the group"}),
        Block("competitive-advantage", "Primary driver of competitive advantages", "categorical", ("A1_7",)),
        Block("positioning", "Firms' positioning (price/quality)", "categorical", ("A1_8",)),
        Block("organisation", "Organisation of production", "categorical", ("A1_9",)),
        Block("functions", "Internal functions and brand investment", "rates", ("A1_10", "A1_11", "A1_12"),
              labels={"A1_10": "Marketing department", "A1_11": "R&D department",
                      "A1_12": "Firms with proprietary brands"}),
    ),
)

TABLE_2 = Report(
    name="it-table-2", title="Industrial district internationalisation: profile of district firms' strategies",
    instrument=CODE, source="IT Table 2", grouping=OFFSHORING,
    notes=("a.v.: absolute value; % of valid answers.", "* Classes based on EU classification of firms.",
           SIG_NOTE, "Tests: Pearson chi-square without continuity correction; Fisher's exact test when an "
           "expected count is below 5 (chi-square still shown).",
           "The paper prints 66.9 and 6.9 for the domestic positioning cells (127/190 = 66.8, 13/190 = 6.8, "
           "IC-A11) and “35” for the whole-sample R&D count (135, IC-A6); “Fashiom” is a typo (IC-A12)."),
    blocks=(
        Block("founding", "Year of founding (mean)", "means", ("A1_1",), decimals=0, chart="none",
              labels={"A1_1": "Year of founding"}),
        Block("turnover", "Turnover*", "categorical", ("A_TURN_CLASS",), order=(1, 2, 3, 4),
              labels={1: "Less than 5 ml Euros", 2: "5-10 ml Euros", 3: "10-50 ml Euros", 4: "More than 50 ml Euros"}),
        Block("industry", "Industry", "categorical", ("A_INDUSTRY",), order=("FURN", "MECH", "FASH"),
              labels={"FURN": "Furniture", "MECH": "Mechanics", "FASH": "Fashion"}),
        Block("competitive-advantage", "Sources of competitive advantages", "categorical", ("A1_7",), order=(1, 2, 3),
              labels={1: "Quality", 2: "Product innovation", 3: "Efficiency"},
              rest_label="Other sources (not printed in the paper)",
              note="80 firms (61 / 19) fall in categories the paper does not print (IC-A26)."),
        Block("organisation", "Organisation of production", "categorical", ("A1_9",), order=(1, 3, 2, 4),
              labels={1: "Make to order", 3: "Make to stock", 2: "Assemble to order", 4: "Engineer to order"}),
        Block("positioning", "Market positioning", "categorical", ("A_POS3",), order=(1, 2, 3),
              labels={1: "High/medium-high", 2: "Medium", 3: "Medium-low/low"}),
        Block("market", "Main market", "categorical", ("A_MARKET",), order=(2, 1),
              labels={2: "B2B", 1: "B2C"}, note="B2B: Business-to-Business; B2C: Business-to-Consumer."),
        Block("functions", "Internal functions", "rates", ("A1_10", "A1_12", "A1_11"),
              labels={"A1_10": "Marketing department", "A1_12": "Firms with proprietary brands",
                      "A1_11": "R&D department"}),
    ),
)

TABLE_3 = Report(
    name="it-table-3", title="Outsourcing strategies of industrial district firms", instrument=CODE,
    source="IT Table 3", grouping=OFFSHORING,
    notes=(SIG_NOTE, "Means of valid answers; tests: Welch's t-test (Mann-Whitney selectable).",
           "Bases: outsourcing and location rows, firms that outsource (A2.3 = yes); local factors, all firms; "
           "supplier criteria, firms with district suppliers (IC-A13). The paper prints no group N: each row "
           "prints its own.", "Domestic “Abroad” is a structural zero, printed “—”."),
    blocks=(
        Block("outsourcing", "Outsourcing strategy (mean)", "means", ("A2_4", "A2_5", "A2_6"), base=OUTSOURCERS,
              base_label="firms that outsource", decimals=1,
              labels={"A2_4": "% of outsourcing on firm's activities", "A2_5": "N. of suppliers",
                      "A2_6": "% of outsourcing in total sales"}),
        Block("supplier-location", "Suppliers' location (% on total number of suppliers) (mean)", "means",
              ("A2_7_D", "A2_7_R", "A2_7_I", "A2_7_A"), base=OUTSOURCERS, base_label="firms that outsource",
              decimals=1, structural=(("A2_7_A", "0"),),
              labels={"A2_7_D": "Industrial district", "A2_7_R": "Region", "A2_7_I": "Italy", "A2_7_A": "Abroad"}),
        Block("local-factors", "Relevant factors driving local (industrial district/ Italy) production "
              "(in-house and/or outsourced) (1 = low, 5 = high)", "means", item="A2.8", decimals=2,
              labels={"A2_8_1": "Specific competencies and knowledge", "A2_8_2": "Quality of manufacturing",
                      "A2_8_3": "Control of innovation", "A2_8_4": "Cost reduction"}),
        Block("district-suppliers", "Selection criteria of district suppliers (1 = low, 5 = high)", "means",
              item="A2.9", base=("A_HAS_DISTRICT_SUPP == 1",), base_label="firms with district suppliers",
              decimals=2, labels={"A2_9_1": "Costs", "A2_9_2": "Competencies", "A2_9_3": "Reliability",
                                  "A2_9_4": "Proximity"}),
    ),
)

TABLE_4 = Report(
    name="it-table-4", title="Backshoring strategies of firms offshoring to emerging economies", instrument=CODE,
    source="IT Table 4", base=("A_EMERGING == 1",),
    base_label="offshoring firms with production relationships in emerging economies",
    notes=("The paper mixes bases without saying so (IC-A18); every block prints its N.",
           "“Number of firms considered: 33 firms (65.0%)” means the firms that did not consider backshoring; "
           "33/50 = 66.0% (IC-A17)."),
    blocks=(
        Block("practices", "Backshoring practices", "categorical", ("A4_1",), order=(2, 1, 3),
              labels={2: "Closer to Italy", 1: "In Italy", 3: "Not considered"}),
        Block("motivations", "Main motivation of backshoring (1 = low relevance, 5 = high relevance) (mean)",
              "means", item="A4.6", base=("A_BS_CONSIDERED == 1",), base_label="firms with backshoring practices",
              decimals=2),
        Block("actions", "Backshoring actions", "categorical", ("A4_3",), base=("A_BS_CONSIDERED == 1",),
              base_label="firms with backshoring practices", statistic="count",
              labels={1: "Already in practice", 2: "Planning to do it"}),
        Block("period", "Year of global sourcing and/or FDI (firms with backshoring practices)", "categorical",
              ("A_INTL_PERIOD",), base=("A_BS_CONSIDERED == 1",), base_label="firms with backshoring practices",
              statistic="count"),
        Block("effects", "Offshoring effects (global sourcing and firms with backshoring practices)", "categorical",
              ("A_OFFSHORE_EFFECT3",), base=("A_BS_CONSIDERED == 1",), statistic="count",
              base_label="firms with backshoring practices",
              note="A3.8 is asked of foreign-supplier firms only, so N may fall below the block base (§4.A.4)."),
        Block("year", "Year of backshoring", "categorical", ("A4_4",), base=("A_BS_DONE == 1",),
              base_label="firms that have backshored", statistic="count"),
        Block("activities", "Backshoring activities' concern", "rates", item="A4.5", base=("A_BS_DONE == 1",),
              base_label="firms that have backshored", statistic="count"),
    ),
)

TEXT = Report(
    name="it-text", title="Aggregates printed only in the text", instrument=CODE, source="IT §3–§4",
    notes=("IT §4.A.5 targets; bases as the text implies them, each printed.",),
    blocks=(
        Block("groups", "Offshoring and domestic-production firms", "categorical", ("A_OFFSHORING",), order=(1, 0)),
        Block("innovation", "Innovation in the past three years", "rates", ("A1_13", "A1_14", "A_INNOV_ANY"),
              labels={"A1_13": "Product innovation", "A1_14": "Process innovation",
                      "A_INNOV_ANY": "Product or process innovation"}, note="Two readings of IC-A23."),
        Block("outsourcing", "Firms that outsource production activities", "rates", ("A2_3",),
              labels={"A2_3": "Outsource at least some activities"}),
        Block("fdi", "Productive foreign direct investment", "rates", ("A3_5",),
              labels={"A3_5": "Have productive FDI"}),
        Block("supplier-areas", "Areas of foreign suppliers", "rates", item="A3.3", base=("A3_1 == 1",),
              base_label="firms with foreign suppliers"),
        Block("fdi-areas", "Areas of productive FDI", "rates", item="A3.7", base=("A3_5 == 1",),
              base_label="firms with productive FDI"),
        Block("sourcing-period", "Start of global sourcing", "categorical", ("A_SOURCING_PERIOD",),
              base=("A3_1 == 1",), base_label="firms with foreign suppliers"),
        Block("relation", "How activities abroad relate to local activities", "categorical", ("A3_8",),
              base=("A3_1 == 1",), base_label="firms with foreign suppliers"),
        Block("strategy-change", "Change in international supply-chain strategy", "rates", item="A3.9",
              base=("A_OFFSHORING == 1",), base_label="offshoring firms"),
        Block("host-problems", "Problems in the foreign countries (1-5, mean)", "means", item="A3.10",
              base=("A_OFFSHORING == 1",), base_label="offshoring firms", decimals=2),
        Block("small-outsourcing", "Share of activities outsourced, firms below €5 million (IC-A14)", "means",
              ("A2_4",), base=("A_SMALL5 == 1", "A2_3 == 1"), base_label="small firms that outsource",
              grouping=OFFSHORING, decimals=1, labels={"A2_4": "% of outsourcing on firm's activities"}),
        Block("small-share", "Offshoring firms by turnover below €5 million (column %, IC-A15)", "rates",
              ("A_SMALL5",), grouping=OFFSHORING, labels={"A_SMALL5": "Turnover below €5 million"}),
    ),
)

REPORTS = (TABLE_1, TABLE_2, TABLE_3, TABLE_4, TEXT)
FILTERS = {"district": "A_DISTRICT", "industry": "A_INDUSTRY", "size": "A_SIZE_EMP"}
DEFAULT_GROUP = "A_OFFSHORING"
