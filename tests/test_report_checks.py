"""The portfolio and accounting reports check their fields however they are built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings

import microloan
from microloan import (
    AgeingReport,
    BucketScheme,
    ExpectedCreditLoss,
    FirstPaymentDefault,
    InvalidTypeError,
    InvalidValueError,
    MicroloanError,
    OverdueRates,
    Provisions,
    RollRates,
    SerializationError,
    Vintage,
    from_dict,
    overdue_rates,
    to_dict,
)
from tests.strategies import loan_records_on

ON = date(2026, 1, 1)
M = BucketScheme.preset("m")
ZERO = Decimal(0)
FIVE = (ZERO,) * 5

#: (what is wrong, how it is built, the error class, its message word for word)
REFUSALS: list[tuple[str, Callable[[], object], type[MicroloanError], str]] = [
    (
        "ageing: a str date",
        lambda: AgeingReport(on="x", scheme=M),  # type: ignore[arg-type]
        InvalidTypeError,
        "on: 'x' is a str; expected a datetime.date",
    ),
    (
        "ageing: a scheme's name for the scheme",
        lambda: AgeingReport(on=ON, scheme="m"),  # type: ignore[arg-type]
        InvalidTypeError,
        "scheme: 'm' is a str; expected a BucketScheme",
    ),
    (
        "ageing: a bool count",
        lambda: AgeingReport(on=ON, scheme=M, currency="CNY", cells=((0, 0, True, 5),)),
        InvalidTypeError,
        "cells[0][2]: True is a bool; expected an int",
    ),
    (
        "ageing: a bucket the days do not fall in",
        lambda: AgeingReport(on=ON, scheme=M, currency="CNY", cells=((45, 0, 1, 5),)),
        InvalidValueError,
        "cells[0][1]: 0 is not the bucket of 45 days past due, M2",
    ),
    (
        "ageing: cells out of order",
        lambda: AgeingReport(on=ON, scheme=M, currency="CNY", cells=((45, 2, 1, 5), (0, 0, 1, 5))),
        InvalidValueError,
        "cells[1]: (0, 0, 1, 5) is out of order: cells are sorted, one per key",
    ),
    (
        "ageing: an unknown currency",
        lambda: AgeingReport(on=ON, scheme=M, currency="XYZ"),
        InvalidValueError,
        "currency: 'XYZ' is not a known currency code",
    ),
    (
        "ageing: cells without a currency",
        lambda: AgeingReport(on=ON, scheme=M, cells=((0, 0, 1, 5),)),
        InvalidValueError,
        "currency: None must be a currency code: the report has cells",
    ),
    (
        "overdue: a str date",
        lambda: OverdueRates(on="x"),  # type: ignore[arg-type]
        InvalidTypeError,
        "on: 'x' is a str; expected a datetime.date",
    ),
    (
        "overdue: a ragged cell",
        lambda: OverdueRates(on=ON, cells=((1, -2, "a"),)),  # type: ignore[arg-type]
        InvalidValueError,
        (
            "cells[0]: (1, -2, 'a') has 3 items, not 7: (month index, loans booked, principal "
            "booked, loans on book, outstanding, overdue loans, overdue outstanding)"
        ),
    ),
    (
        "overdue: a negative count",
        lambda: OverdueRates(on=ON, currency="CNY", cells=((24300, -2, 0, 0, 0, 0, 0),)),
        InvalidValueError,
        "cells[0][1]: -2 must not be negative",
    ),
    (
        "overdue: more loans on book than booked",
        lambda: OverdueRates(on=ON, currency="CNY", cells=((24300, 1, 100, 2, 100, 0, 0),)),
        InvalidValueError,
        "cells[0][3]: 2 must not exceed cells[0][1]",
    ),
    (
        "overdue: a month after the report date",
        lambda: OverdueRates(on=ON, currency="CNY", cells=((24313, 1, 100, 1, 100, 0, 0),)),
        InvalidValueError,
        "cells[0][0]: 24313 is a month after the report date 2026-01-01",
    ),
    (
        "overdue: a list for the cells",
        lambda: OverdueRates(on=ON, cells=[]),  # type: ignore[arg-type]
        InvalidTypeError,
        (
            "cells: [] is a list; expected a tuple of (month index, loans booked, principal "
            "booked, loans on book, outstanding, overdue loans, overdue outstanding) tuples"
        ),
    ),
    (
        "rolls: an end not after the start",
        lambda: RollRates(start=ON, end=ON, scheme=M),
        InvalidValueError,
        "end: datetime.date(2026, 1, 1) must be after start 2026-01-01",
    ),
    (
        "rolls: a column past written off",
        lambda: RollRates(
            start=ON, end=date(2026, 2, 1), scheme=M, currency="CNY", cells=((0, 10, 1, 1, 1),)
        ),
        InvalidValueError,
        (
            "cells[0][1]: 10 is not a column of "
            "['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+', 'paid_off', 'written_off']"
        ),
    ),
    (
        "rolls: a bool count of new loans",
        lambda: RollRates(start=ON, end=date(2026, 2, 1), scheme=M, new_loans=True),
        InvalidTypeError,
        "new_loans: True is a bool; expected an int",
    ),
    (
        "fpd: a str threshold",
        lambda: FirstPaymentDefault(over="7"),  # type: ignore[arg-type]
        InvalidTypeError,
        "over: '7' is a str; expected a whole number of days (int)",
    ),
    (
        "fpd: more defaults than loans judged",
        lambda: FirstPaymentDefault(over=7, currency="CNY", cells=((24300, 1, 100, 2, 100),)),
        InvalidValueError,
        "cells[0][3]: 2 must not exceed cells[0][1]",
    ),
    (
        "vintage: a lower-case currency",
        lambda: Vintage(over=30, currency="cny"),
        InvalidValueError,
        "currency: 'cny' is not a known currency code",
    ),
    (
        "provisions: four rates",
        lambda: Provisions(on=ON, rates=(ZERO,) * 4, general_rate=ZERO),
        InvalidValueError,
        (
            "rates: (Decimal('0'), Decimal('0'), Decimal('0'), Decimal('0')) has 4 rates, not one "
            "per class of ['normal', 'special_mention', 'substandard', 'doubtful', 'loss']"
        ),
    ),
    (
        "provisions: a rate above 1",
        lambda: Provisions(
            on=ON, rates=(ZERO, ZERO, Decimal("1.5"), ZERO, ZERO), general_rate=ZERO
        ),
        InvalidValueError,
        "rates[2]: Decimal('1.5') must be a rate from 0 to 1",
    ),
    (
        "provisions: an int rate",
        lambda: Provisions(on=ON, rates=FIVE, general_rate=1),  # type: ignore[arg-type]
        InvalidTypeError,
        "general_rate: 1 is an int; expected a Decimal rate, such as Decimal('0.25')",
    ),
    (
        "provisions: a sixth class",
        lambda: Provisions(
            on=ON, rates=FIVE, general_rate=ZERO, currency="CNY", cells=((5, 1, 100),)
        ),
        InvalidValueError,
        (
            "cells[0][0]: 5 is not a class index of "
            "['normal', 'special_mention', 'substandard', 'doubtful', 'loss']"
        ),
    ),
    (
        "ecl: a str date",
        lambda: ExpectedCreditLoss(on="x"),  # type: ignore[arg-type]
        InvalidTypeError,
        "on: 'x' is a str; expected a datetime.date",
    ),
    (
        "ecl: stage 0",
        lambda: ExpectedCreditLoss(on=ON, currency="CNY", cells=((0, 1, 100, Decimal(1)),)),
        InvalidValueError,
        "cells[0][0]: 0 is not an IFRS 9 stage: 1, 2 or 3",
    ),
    (
        "ecl: a NaN loss",
        lambda: ExpectedCreditLoss(on=ON, currency="CNY", cells=((1, 1, 100, Decimal("NaN")),)),
        InvalidValueError,
        "cells[0][3]: Decimal('NaN') must be a finite, non-negative Decimal",
    ),
    (
        "ecl: a float loss",
        lambda: ExpectedCreditLoss(on=ON, currency="CNY", cells=((1, 1, 100, 1.5),)),  # type: ignore[arg-type]
        InvalidTypeError,
        "cells[0][3]: 1.5 is a float; expected a Decimal",
    ),
]


_TABLE = microloan.lift_table([1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 0, 1, 0, 0, 1, 1], bins=2)
_FUNNEL = microloan.funnel({"visitors": 10, "loans": 5})

#: the analytics' result objects, built by hand or changed with `attrs.evolve`
ANALYTICS_REFUSALS: list[tuple[str, Callable[[], object], type[MicroloanError], str]] = [
    (
        "lift row: a negative count",
        lambda: attrs.evolve(_TABLE.rows[0], count=-1),
        InvalidValueError,
        "count: -1 must not be negative",
    ),
    (
        "lift row: a share above 1",
        lambda: attrs.evolve(_TABLE.rows[0], share=Decimal("1.5")),
        InvalidValueError,
        "share: Decimal('1.5') must be from 0 to 1",
    ),
    (
        "lift row: a float rate",
        lambda: attrs.evolve(_TABLE.rows[0], bad_rate=0.5),  # type: ignore[arg-type]
        InvalidTypeError,
        "bad_rate: 0.5 is a float; expected a Decimal",
    ),
    (
        "lift table: an unknown option",
        lambda: attrs.evolve(_TABLE, woe_zero="two"),  # type: ignore[arg-type]
        InvalidValueError,
        "woe_zero: 'two' is not one of ['one', 'zero_woe', '0.9']",
    ),
    (
        "lift table: a row that is not a LiftRow",
        lambda: attrs.evolve(_TABLE, rows=(1,)),  # type: ignore[arg-type]
        InvalidTypeError,
        "rows[0]: 1 is an int; expected a LiftRow",
    ),
    (
        "lift table: a NaN KS",
        lambda: attrs.evolve(_TABLE, ks=Decimal("NaN")),
        InvalidValueError,
        "ks: Decimal('NaN') must be finite",
    ),
    (
        "funnel step: a bool count",
        lambda: attrs.evolve(_FUNNEL.steps[0], count=True),
        InvalidTypeError,
        "count: True is a bool; expected an int",
    ),
    (
        "funnel comparison: a count for a funnel",
        lambda: microloan.FunnelComparison(channels={"x": 1}),  # type: ignore[dict-item]
        InvalidTypeError,
        "channels['x']: 1 is an int; expected a Funnel",
    ),
    (
        "daily rate: a str day",
        lambda: microloan.DailyRate(day="2026-01-01", applicants=1, borrowers=1, rate=None),  # type: ignore[arg-type]
        InvalidTypeError,
        "day: '2026-01-01' is a str; expected a datetime.date",
    ),
    (
        "repeat day: an int flag",
        lambda: microloan.RepeatDay(
            day=ON,
            borrowers=1,
            repeat=1,
            rate=Decimal(1),
            complete=1,  # type: ignore[arg-type]
        ),
        InvalidTypeError,
        "complete: 1 is an int; expected a bool",
    ),
    (
        "cohort row: a list of counts",
        lambda: microloan.CohortRow(
            cohort="2026-01",
            size=1,
            active=[1],  # type: ignore[arg-type]
            retention=(Decimal(1),),
        ),
        InvalidTypeError,
        "active: [1] is a list; expected a tuple, each item an int count of users",
    ),
    (
        "cohort matrix: negative periods",
        lambda: microloan.CohortMatrix(rows=(), periods=-1),
        InvalidValueError,
        "periods: -1 must not be negative",
    ),
]


@pytest.mark.parametrize(
    ("case", "build", "error", "message"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_a_report_built_by_hand_refuses_a_bad_field(
    case: str, build: Callable[[], object], error: type[MicroloanError], message: str
) -> None:
    """A report built directly refuses a bad field, naming its path and value."""
    with pytest.raises(error) as caught:
        build()
    assert str(caught.value) == message, case


@pytest.mark.parametrize(
    ("case", "build", "error", "message"),
    ANALYTICS_REFUSALS,
    ids=[r[0] for r in ANALYTICS_REFUSALS],
)
def test_an_analytics_result_built_by_hand_refuses_a_bad_field(
    case: str, build: Callable[[], object], error: type[MicroloanError], message: str
) -> None:
    """A lift, funnel or cohort result built by hand refuses a bad field, naming it."""
    with pytest.raises(error) as caught:
        build()
    assert str(caught.value) == message, case


def test_a_document_with_a_bad_cell_is_refused_naming_the_path() -> None:
    """A report read from a document is checked as one built by hand."""
    record = microloan.LoanRecord(
        loan_id=1,
        disbursed=date(2025, 12, 5),
        principal=microloan.Money(100),
        outstanding=microloan.Money(100),
        days_past_due=3,
    )
    data = to_dict(overdue_rates([record], on=ON))
    data["cells"][0][5] = 2  # two overdue loans of one on book
    with pytest.raises(SerializationError, match=r"cells\[0\]\[5\]: 2 must not exceed"):
        from_dict(data, OverdueRates)


@settings(max_examples=10)
@given(loan_records_on(ON), loan_records_on(ON))
def test_reports_built_by_their_functions_pass_their_checks_and_merge(
    first: list[microloan.LoanRecord], second: list[microloan.LoanRecord]
) -> None:
    """The builders' reports and their merges are valid: the checks refuse none of them."""
    offset = [with_other_id(r, 10_000) for r in second]
    whole = overdue_rates(first + offset, on=ON)
    assert overdue_rates(first, on=ON) + overdue_rates(offset, on=ON) == whole
    provisions = microloan.provisions(first, on=ON) + microloan.provisions(offset, on=ON)
    assert provisions == microloan.provisions(first + offset, on=ON)


def with_other_id(record: microloan.LoanRecord, shift: int) -> microloan.LoanRecord:
    """The record under another loan id (two parts of a portfolio hold distinct loans)."""
    loan_id = record.loan_id
    new_id = loan_id + shift if isinstance(loan_id, int) else f"{loan_id}-{shift}"
    return attrs.evolve(record, loan_id=new_id)
