"""Portfolio risk reports: ageing, overdue rates, roll rates, vintage and first-payment default.

Every report takes an iterable of loans: [`LoanRecord`][microloan.LoanRecord]s
(plain records, as a warehouse exports them), mappings with the same keys, or
any object with the same attributes (a loan position). Each report is an
immutable value holding counts **and** balances in whole minor units, with
`as_rows()` for a table, and each is its own accumulator: `a + b` merges two
reports over disjoint parts of a portfolio exactly, so a portfolio too large
for one machine is aggregated partition by partition and the parts summed
(`sum(parts)` works too). The definitions and formulas are on the explanation
page *Ageing and portfolio risk*.

Hot paths add integers only: a record's balances are converted to minor units
once, when the record is built, and `Money` is built only when a report is read.
The wing reads money, day counts and errors, never the lending chain.
"""

from microloan.portfolio.ageing import (
    AgeingReport,
    ageing_report,
)
from microloan.portfolio.buckets import (
    NON_PERFORMING,
    Bucket,
    BucketScheme,
    HasDaysPastDue,
    Override,
    SchemeName,
    classify,
)
from microloan.portfolio.fpd import (
    FirstPaymentDefault,
    first_payment_default,
)
from microloan.portfolio.overdue import (
    OverdueRates,
    overdue_rates,
)
from microloan.portfolio.records import (
    By,
    LoanLike,
    LoanRecord,
    PositionLike,
)
from microloan.portfolio.rolls import (
    RollRates,
    roll_rates,
)
from microloan.portfolio.vintages import (
    Vintage,
    vintage,
)

__all__ = [  # by module, each concept's type beside the function that builds it
    "By",
    "LoanLike",
    "LoanRecord",
    "PositionLike",
    "Bucket",
    "BucketScheme",
    "SchemeName",
    "Override",
    "HasDaysPastDue",
    "classify",
    "NON_PERFORMING",
    "AgeingReport",
    "ageing_report",
    "OverdueRates",
    "overdue_rates",
    "RollRates",
    "roll_rates",
    "Vintage",
    "vintage",
    "FirstPaymentDefault",
    "first_payment_default",
]
