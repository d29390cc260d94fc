"""The analyst's wing: bins, count tables, lift and reject rules, score metrics, funnels, cohorts.

These modules read plain columns (lists, arrays, Series) and report exact ``Decimal``
figures; they depend only on the library's money, decimal context and errors, never on
the lending chain. Every public name is re-exported from ``microloan``, its one public path.
"""

from microloan.analytics.binning import (
    Bins,
    CategoryBins,
    Closed,
    CutBins,
    categories,
    equal_frequency,
    equal_width,
)
from microloan.analytics.cohorts import Activity, CohortMatrix, CohortRow, cohort_retention
from microloan.analytics.counts import CountTable
from microloan.analytics.funnels import (
    DailyRate,
    Funnel,
    FunnelComparison,
    FunnelStep,
    RepeatBorrowing,
    RepeatDay,
    Segment,
    compare_funnels,
    disbursement_rate_by_day,
    funnel,
    repeat_borrowing,
)
from microloan.analytics.lift import (
    CombinedImpact,
    LiftRanking,
    LiftRow,
    LiftTable,
    RejectImpact,
    Rule,
    RuleOp,
    WoeZeroRule,
    WorstEnd,
    combined_impact,
    lift_table,
    rank_by_lift,
    reject_impact,
)
from microloan.analytics.scores import Higher, PsiEmptyRule, auc, gini, ks, psi

__all__ = [
    "Activity",
    "Bins",
    "CategoryBins",
    "Closed",
    "CohortMatrix",
    "CohortRow",
    "CombinedImpact",
    "CountTable",
    "CutBins",
    "DailyRate",
    "Funnel",
    "FunnelComparison",
    "FunnelStep",
    "Higher",
    "LiftRanking",
    "LiftRow",
    "LiftTable",
    "PsiEmptyRule",
    "RejectImpact",
    "RepeatBorrowing",
    "RepeatDay",
    "Rule",
    "RuleOp",
    "Segment",
    "WoeZeroRule",
    "WorstEnd",
    "auc",
    "categories",
    "cohort_retention",
    "combined_impact",
    "compare_funnels",
    "disbursement_rate_by_day",
    "equal_frequency",
    "equal_width",
    "funnel",
    "gini",
    "ks",
    "lift_table",
    "psi",
    "rank_by_lift",
    "reject_impact",
    "repeat_borrowing",
]
