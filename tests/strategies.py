"""Hypothesis strategies shared by every test module: the one home for generated inputs."""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Final, Literal, TypeVar, get_args

import attrs
from hypothesis import assume
from hypothesis import strategies as st

import microloan
from microloan import (
    CURRENCY_MINOR_UNITS,
    Accrual,
    Applicant,
    BucketScheme,
    BusinessDay,
    Calendar,
    Conventions,
    CreditLine,
    DayCount,
    DaysInYear,
    Frequency,
    Installment,
    InterestBasis,
    Loan,
    LoanRecord,
    Method,
    MicroloanError,
    Money,
    Rate,
    RateUnit,
    Residual,
    RoundingMode,
    Schedule,
    Split,
    add_months,
    equal_installment,
    equal_principal,
    flat,
    interest_only,
    serializable_types,
)

_T = TypeVar("_T")

# -- money, rates and dates ---------------------------------------------------------

#: Every currency the library knows.
currencies = st.sampled_from(sorted(CURRENCY_MINOR_UNITS))


@st.composite
def whole_money(
    draw: st.DrawFn,
    *,
    currency: str | None = None,
    min_units: int = -(10**12),
    max_units: int = 10**12,
) -> Money:
    """An amount in whole minor units of a (drawn) currency."""
    code = currency if currency is not None else draw(currencies)
    return Money.from_minor_units(draw(st.integers(min_units, max_units)), code)


def positive_cny(max_units: int = 10**9) -> st.SearchStrategy[Money]:
    """A positive CNY amount from 1 fen up to `max_units` fen (10 million yuan by default)."""
    return st.integers(1, max_units).map(Money.from_minor_units)


#: Finite decimals of up to 10**15 with 6 places.
any_decimal = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15, places=6
)

#: 1-20 non-negative integer weights, not all zero.
weights = st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(any)

#: Annual rates from 0 to 36%, 6 places.
annual_rates = st.decimals(min_value=0, max_value=Decimal("0.36"), places=6).map(Rate.annual)

#: Dates from 1990 to 2100.
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))

#: Rate fractions from 0 to 50% with 8 places (test_rates).
rate_fractions = st.decimals(min_value=0, max_value=Decimal("0.5"), places=8)

#: The conventions that count actual days (test_daycount).
actual_conventions = st.sampled_from(["act/360", "act/365", "act/act"])

# -- cash flows (test_cost) ----------------------------------------------------------

#: A rate a period from -90% to 500%, 6 places.
period_rates = st.decimals(min_value=Decimal("-0.9"), max_value=Decimal(5), places=6)

#: 1-60 positive payments of 0.01 to 10 million, 2 places.
positive_payments = st.lists(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**7), places=2),
    min_size=1,
    max_size=60,
)

# -- schedules (test_schedules, test_loans) -----------------------------------------

#: A named frequency or a period of 1-31 days.
frequencies = st.one_of(
    st.sampled_from(["monthly", "weekly", "biweekly"]), st.integers(min_value=1, max_value=31)
)
#: Every accrual basis: "period" or "daily".
accruals = st.sampled_from(get_args(Accrual))
#: Every days-in-year basis: 360, 365 or "actual".
days_in_year_choices = st.sampled_from(get_args(DaysInYear))
#: Every rounding mode of the library.
rounding_modes = st.sampled_from(get_args(RoundingMode))
#: A start date from 2000 to 2060.
schedule_starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
#: Every interest basis, split and residual of an equal installment.
interest_bases = st.sampled_from(get_args(InterestBasis))
splits = st.sampled_from(get_args(Split))
residuals = st.sampled_from(get_args(Residual))
#: No day count (actual days over the year) or any DayCount.
schedule_day_counts = st.sampled_from([None, *get_args(DayCount)])
#: Any bundle of conventions.
conventions_bundles = st.builds(
    Conventions,
    rounding=rounding_modes,
    accrual=accruals,
    days_in_year=days_in_year_choices,
    interest_basis=interest_bases,
    split=splits,
    residual=residuals,
    day_count=schedule_day_counts,
)


@st.composite
def schedule_arguments(draw: st.DrawFn, *, max_term: int = 360) -> dict[str, Any]:
    """Keyword arguments for a generator: 1 fen to 10 million, 0-36%, 1-360 periods, any option."""
    frequency = draw(frequencies)
    start = draw(schedule_starts)
    options: dict[str, Any] = {
        "rate": draw(annual_rates),
        "term": draw(st.integers(1, max_term)),
        "start": start,
        "frequency": frequency,
        "accrual": draw(accruals),
        "days_in_year": draw(days_in_year_choices),
        "rounding": draw(rounding_modes),
    }
    if draw(st.booleans()):
        options["first_due"] = start + draw(
            st.sampled_from([1, 10, 20, 31, 45]).map(lambda n: timedelta(days=n))
        )
    return {"principal": draw(positive_cny()), **options}


# -- business days (test_business_days) -----------------------------------------------

#: Every business-day rule, and those that move a date.
business_day_rules = st.sampled_from(get_args(BusinessDay))
moving_rules = st.sampled_from([r for r in get_args(BusinessDay) if r != "none"])


@st.composite
def calendars(draw: st.DrawFn, *, start: date = date(2026, 1, 1), days: int = 400) -> Calendar:
    """A calendar with holidays (runs of up to 9 days, as long holidays are) and worked weekend days.

    Everything falls within `days` of `start`, so that schedules from `start` meet it.
    """
    offsets = st.integers(0, days)
    holidays: set[date] = set()
    for first, length in draw(st.lists(st.tuples(offsets, st.integers(1, 9)), max_size=12)):
        holidays.update(start + timedelta(days=first + k) for k in range(length))
    weekends = [
        start + timedelta(days=k)
        for k in range(days + 10)
        if (start + timedelta(days=k)).weekday() >= 5 and start + timedelta(days=k) not in holidays
    ]
    workdays = draw(st.lists(st.sampled_from(weekends), max_size=8)) if weekends else []
    return Calendar(holidays=holidays, workdays=workdays)


@st.composite
def origination_arguments(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A method and its arguments with a grace, interest-free periods or a balloon it takes."""
    method = draw(st.sampled_from(["equal_installment", "equal_principal", "bullet", "flat"]))
    arguments = draw(schedule_arguments(max_term=60))
    term, principal = arguments["term"], arguments["principal"]
    assume(term >= 2)
    if method != "bullet" and draw(st.booleans()):
        arguments["principal_grace"] = draw(st.integers(0, term - 1))
    elif draw(st.booleans()):
        arguments["interest_free_periods"] = draw(st.integers(0, term - 1))
    units = int(principal.amount.scaleb(2))
    if method != "bullet" and units > 1 and draw(st.booleans()):
        arguments["balloon"] = Money.from_minor_units(draw(st.integers(1, units - 1)))
    if method == "equal_installment":
        arguments["interest_basis"] = draw(interest_bases)
        arguments["split"] = draw(splits)
        arguments["residual"] = draw(st.sampled_from(["last", "balanced"]))
    return method, arguments


# -- loans (test_loans) --------------------------------------------------------------

_LOAN_START = date(2026, 1, 15)  # test_loans' START

#: The generators with a schedule of several installments (no bullet).
schedule_methods = st.sampled_from(
    ["equal_installment", "equal_principal", "interest_only", "flat"]
)


@st.composite
def small_schedules(draw: st.DrawFn) -> Schedule:
    """A small schedule from one of the generators."""
    method = draw(schedule_methods)
    maker: Any = {
        "equal_installment": equal_installment,
        "equal_principal": equal_principal,
        "interest_only": interest_only,
        "flat": flat,
    }[method]
    principal = Money.from_minor_units(draw(st.integers(10_000, 5_000_000)))
    rate = Rate.annual(draw(st.decimals(min_value=0, max_value=Decimal("0.36"), places=4)))
    term = draw(st.integers(1, 12))
    accrual = draw(accruals)
    plan: Schedule = maker(principal, rate=rate, term=term, start=_LOAN_START, accrual=accrual)
    return plan


@st.composite
def serviced_loans(draw: st.DrawFn) -> Loan:
    """A loan with random servicing terms."""
    plan = draw(small_schedules())
    excess_choices = ["reduce_installment", "credit"]
    if plan.method not in ("interest_only", "bullet"):
        excess_choices.append("shorten_term")
    return Loan.from_schedule(
        plan,
        grace_days=draw(st.integers(0, 5)),
        penalty_on_interest=draw(st.booleans()),
        allocation=draw(st.sampled_from(["oldest_first", "vertical", "principal_first"])),
        excess=draw(st.sampled_from(excess_choices)),
        early_interest=draw(st.sampled_from(["days_used", "period_end"])),
    )


def repayment_plans(loan: Loan) -> st.SearchStrategy[list[tuple[int, int]]]:
    """A few (day offset, minor units) payments within the life of the loan and a bit beyond."""
    span = (loan.maturity - loan.start).days + 60
    limit = max(loan.principal.minor_units // 2, 100)
    return st.lists(st.tuples(st.integers(0, span), st.integers(1, limit)), max_size=4)


# -- credit lines (test_lines) -------------------------------------------------------

_LINE_OPENED = date(2026, 1, 1)  # test_lines' OPENED
_LINE_EXPIRES = date(2026, 12, 31)  # test_lines' EXPIRES

#: A line limit from 100 to 1 million yuan, in fen.
line_limit_units = st.integers(100_00, 1_000_000_00)
#: Days after a line opens, up to 200.
line_day_offsets = st.integers(0, 200)


@st.composite
def revolving_histories(draw: st.DrawFn) -> tuple[CreditLine, date]:
    """A revolving line after a few draws, repayments and limit changes in date order."""
    line = CreditLine.revolving(
        limit=Money.from_minor_units(draw(line_limit_units)),
        rate=draw(st.sampled_from([Rate.daily("0.05%"), Rate.annual("21%"), Rate.annual("0%")])),
        opened=_LINE_OPENED,
        expires=_LINE_EXPIRES,
    )
    day = _LINE_OPENED
    for _ in range(draw(st.integers(0, 5))):
        day += timedelta(days=draw(st.integers(0, 40)))
        action = draw(st.sampled_from(["draw", "repay", "limit"]))
        room = line.available(on=day)
        if action == "draw" and room.amount > 0:
            amount = Money.from_minor_units(draw(st.integers(1, room.minor_units)))
            line = line.draw(
                amount, on=day, maturity=day + timedelta(days=draw(st.integers(1, 90)))
            )
        elif action == "repay" and any(loan.start <= day for loan in line.drawdowns):
            line = line.repay(Money.from_minor_units(draw(st.integers(1, 5_000_000))), on=day)
        elif action == "limit":
            line = line.with_limit(Money.from_minor_units(draw(line_limit_units)), on=day)
    return line, day + timedelta(days=draw(st.integers(0, 120)))


# -- eligibility (test_eligibility) --------------------------------------------------

#: Applicants with any mix of known and missing facts.
applicants = st.builds(
    Applicant,
    birth_date=st.none() | st.dates(date(1940, 1, 1), date(2015, 1, 1)),
    member_since=st.none() | st.dates(date(2015, 1, 1), date(2026, 3, 1)),
    citizenship=st.none() | st.sampled_from(["CN", "US"]),
    region=st.none() | st.sampled_from(["Hangzhou", "Ningbo"]),
    legal_representative=st.booleans(),
    payment_account_verified=st.booleans(),
    payment_record_good=st.booleans(),
)

# -- ageing and portfolios (test_ageing, test_portfolio) -----------------------------

#: The preset bucket schemes by name.
scheme_names = st.sampled_from(["m", "us", "five-tier"])
#: Days past due from 0 to 5000.
days_past_due = st.integers(0, 5000)


@st.composite
def bucket_schemes(draw: st.DrawFn) -> BucketScheme:
    """A custom scheme: 1–8 buckets with increasing starts, some beyond the lookup table."""
    gaps = draw(st.lists(st.integers(1, 3000), min_size=0, max_size=7))
    starts, low = [0], 0
    for gap in gaps:
        low += gap
        starts.append(low)
    return BucketScheme.from_starts("custom", [(f"b{i}", s) for i, s in enumerate(starts)])


@st.composite
def loan_books(draw: st.DrawFn, *, on: date, dated: bool = False) -> list[LoanRecord]:
    """Up to 15 loans on book on `on`, disbursed in the 15 months before it."""
    size = draw(st.integers(0, 15))
    out = []
    for i in range(size):
        disbursed = on - timedelta(draw(st.integers(0, 450)))
        principal = draw(st.integers(1, 10**7))
        dpd = draw(st.one_of(st.just(0), st.integers(0, 500)))
        out.append(
            LoanRecord(
                loan_id=i,
                disbursed=disbursed,
                principal=Money.from_minor_units(principal),
                outstanding=Money.from_minor_units(draw(st.integers(0, principal))),
                days_past_due=dpd,
                first_installment_days_past_due=draw(st.none() | st.integers(0, 60)),
                on=on if dated else None,
            )
        )
    return out


@st.composite
def loan_panels(draw: st.DrawFn) -> list[LoanRecord]:
    """Month-end snapshots of up to 12 loans, each seen at some of MOB 0 … 8."""
    out = []
    for i in range(draw(st.integers(0, 12))):
        disbursed = date(2025, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
        principal = Money.from_minor_units(draw(st.integers(1, 10**6)))
        worst = 0
        for mob in sorted(draw(st.sets(st.integers(0, 8), max_size=6))):
            month = disbursed.month + mob
            on = date(disbursed.year + (month - 1) // 12, (month - 1) % 12 + 1, 28)
            dpd = draw(st.integers(0, 120))
            worst = max(worst, dpd)
            out.append(
                LoanRecord(
                    loan_id=i,
                    disbursed=disbursed,
                    principal=principal,
                    outstanding=principal,
                    days_past_due=dpd,
                    max_days_past_due=worst,
                    on=on,
                )
            )
    return out


# -- analytics: scores, lift, binning, funnels, cohorts ------------------------------


@st.composite
def flagged_rows(
    draw: st.DrawFn, values: st.SearchStrategy[_T], *, max_rows: int
) -> tuple[list[_T], list[int]]:
    """2 to `max_rows` drawn values with a 0/1 flag holding both classes."""
    n = draw(st.integers(2, max_rows))
    column = draw(st.lists(values, min_size=n, max_size=n))
    flags = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    flags[0], flags[1] = 0, 1
    return column, flags


def tied_scores() -> st.SearchStrategy[tuple[list[int], list[int]]]:
    """Integer scores with many ties and a flag holding both classes (test_scores)."""
    return flagged_rows(st.integers(-5, 12), max_rows=50)


def scored_rows() -> st.SearchStrategy[tuple[list[int | None], list[int]]]:
    """A small integer variable (some missing) with a 0/1 flag holding both classes (test_lift)."""
    return flagged_rows(st.one_of(st.integers(0, 30), st.none()), max_rows=60)


#: Up to 5 distinct increasing cut points from 0 to 30.
cut_lists = st.lists(st.integers(0, 30), max_size=5, unique=True).map(sorted)

#: 1-200 small integers from 0 to 30: a column with many ties.
small_int_columns = st.lists(st.integers(0, 30), min_size=1, max_size=200)

#: The counts at 1-6 stages of a funnel, each up to a million.
stage_counts = st.lists(st.integers(0, 10**6), min_size=1, max_size=6)

#: 1-60 (user, day) activity records from January 2019 to June 2020.
activity_records = st.lists(
    st.tuples(
        st.integers(0, 15), st.dates(min_value=date(2019, 1, 1), max_value=date(2020, 6, 30))
    ),
    min_size=1,
    max_size=60,
)


# -- serialization: they mirror the serializer's own annotation forms -----------------

#: Decimals with every kind of exponent: `150E-2` is "1.50", `1E+3` stays "1E+3".
exact_decimals = st.builds(
    lambda sign, digits, exponent: Decimal(f"{sign}{digits}E{exponent}"),
    st.sampled_from(["", "-"]),
    st.integers(0, 10**20),
    st.integers(-12, 8),
)


@st.composite
def any_money(draw: st.DrawFn, currency: str | None = None) -> Money:
    """An amount in any currency with any number of places (a fraction of a fen included).

    Up to 21 digits with any exponent from -12 to 8 that keeps it under MAX_AMOUNT (10**18).
    """
    sign = draw(st.sampled_from(["", "-"]))
    digits = draw(st.integers(0, 10**20))
    top = min(8, 17 - (len(str(digits)) - 1))
    amount = Decimal(f"{sign}{digits}E{draw(st.integers(-12, top))}")
    return Money(amount, currency or draw(currencies))


@st.composite
def any_rate(draw: st.DrawFn) -> Rate:
    """A valid rate in any unit, its value with any exponent."""
    unit: RateUnit = draw(st.sampled_from(get_args(RateUnit)))
    places = {"annual": 6, "monthly": 7, "daily": 8}[unit]  # keeps it under 1,000% a year
    value = Decimal(f"{draw(st.integers(0, 10**6))}E-{draw(st.integers(places, places + 10))}")
    return Rate(value=value, unit=unit)


def _whole(units: int, currency: str) -> Money:
    return Money.from_minor_units(units, currency)


_FREQUENCIES: list[Frequency] = ["monthly", "weekly", "biweekly", 10, 30]


@st.composite
def hand_built_schedules(draw: st.DrawFn) -> Schedule:
    """A hand-built schedule whose parts are consistent: they add up, balances run down to 0."""
    currency = draw(currencies)
    term = draw(st.integers(1, 8))
    principal_units = draw(st.integers(term, 10**9))
    principal = _whole(principal_units, currency)
    weights = draw(st.lists(st.integers(1, 100), min_size=term, max_size=term))
    parts = principal.allocate(weights)
    start = draw(dates)
    frequency: Frequency = draw(st.sampled_from(_FREQUENCIES))
    installments = []
    balance = principal
    previous = start
    for number, part in enumerate(parts, start=1):
        step = (
            frequency
            if isinstance(frequency, int)
            else {"weekly": 7, "biweekly": 14}.get(frequency)
        )
        due = add_months(start, number) if step is None else start + timedelta(days=step * number)
        interest = _whole(draw(st.integers(0, principal_units)), currency)
        balance -= part
        installments.append(
            Installment(
                number=number,
                period_start=previous,
                due_date=due,
                principal=part,
                interest=interest,
                total=part + interest,
                balance=balance,
            )
        )
        previous = due
    return Schedule(
        installments=tuple(installments),
        principal=principal,
        rate=draw(any_rate()),
        term=term,
        start=start,
        # a bullet has one installment, at the end of its last period
        method=draw(st.sampled_from([m for m in get_args(Method) if term == 1 or m != "bullet"])),
        frequency=frequency,
        first_due=installments[0].due_date,
        accrual=draw(accruals),
        days_in_year=draw(days_in_year_choices),
        rounding=draw(rounding_modes),
        installment_multiple=draw(
            st.none()
            | st.sampled_from(["1", "10", "0.10"])
            .map(lambda m: Money(m, currency))
            .filter(lambda m: m.is_whole)
        ),
    )


@st.composite
def installments(draw: st.DrawFn) -> Installment:
    """One installment from a consistent hand-built schedule."""
    plan = draw(hand_built_schedules())
    return draw(st.sampled_from(plan.installments))


@st.composite
def loan_records_on(draw: st.DrawFn, on: date) -> list[Any]:
    """A few plain loan records as of `on` (for the report classes built from records)."""
    records = []
    for loan_id in range(draw(st.integers(1, 6))):
        principal = draw(st.integers(100, 10**7))
        records.append(
            microloan.LoanRecord(
                loan_id=loan_id,
                disbursed=on - timedelta(days=draw(st.integers(0, 400))),
                principal=Money.from_minor_units(principal),
                outstanding=Money.from_minor_units(draw(st.integers(0, principal))),
                days_past_due=draw(st.integers(0, 200)),
                on=on,
            )
        )
    return records


def report_strategies() -> dict[type, st.SearchStrategy[Any]]:
    """Strategies for the portfolio reports, where those classes exist (built by their functions)."""
    found: dict[type, st.SearchStrategy[Any]] = {}
    on = date(2026, 6, 30)
    names = ("BucketScheme", "LoanRecord", "ageing_report", "roll_rates")
    if not all(hasattr(microloan, n) for n in names):  # pragma: no cover - older trees
        return found
    presets: st.SearchStrategy[Any] = scheme_names
    found[microloan.BucketScheme] = presets.map(microloan.BucketScheme.preset)
    found[microloan.AgeingReport] = st.builds(
        lambda records, scheme: microloan.ageing_report(records, on=on, scheme=scheme),
        loan_records_on(on),
        presets,
    )
    found[microloan.RollRates] = st.builds(
        lambda before, after: microloan.roll_rates(
            before, after, start=on - timedelta(days=30), end=on, absent="paid_off"
        ),
        loan_records_on(on - timedelta(days=30)),
        loan_records_on(on),
    )
    # the reports check their cells, so they are built by their functions, never by hand
    found[microloan.Provisions] = st.builds(
        lambda records, preset: microloan.provisions(records, on=on, rates=preset),
        loan_records_on(on),
        st.sampled_from(get_args(microloan.ProvisionPreset)),
    )
    found[microloan.ExpectedCreditLoss] = st.builds(
        lambda records: microloan.expected_credit_loss(
            records,
            on=on,
            pd={1: Decimal("0.02"), 2: Decimal("0.2"), 3: Decimal(1)},
            lgd=Decimal("0.45"),
        ),
        loan_records_on(on),
    )
    return found


# -- servicing: loans with histories, products, credit lines --------------------------

#: Contract rates the platform's products use (per day and per year).
product_rates = st.sampled_from([Rate.daily("0.05%"), Rate.annual("18%"), Rate.annual("21%")])
_GENERATORS: dict[str, Callable[..., Schedule]] = {
    "equal_installment": microloan.equal_installment,
    "equal_principal": microloan.equal_principal,
    "interest_only": microloan.interest_only,
    "bullet": microloan.bullet,
    "flat": microloan.flat,
}
_LEVEL = ("equal_installment", "flat")  # plans with a level installment (excess may shorten them)
_FROM = date(2024, 1, 1)
_UNTIL = date(2027, 12, 31)
_FAILED = (MicroloanError, ValueError)  # an operation the object refuses is simply not posted


def whole_yuan(low: int, high: int) -> st.SearchStrategy[Money]:
    """Whole yuan (no fen) between `low` and `high`: keeps allocations readable."""
    return st.integers(low, high).map(lambda units: Money.from_minor_units(units * 100))


@st.composite
def servicing_terms(draw: st.DrawFn, *, shorten: bool = True) -> microloan.ServicingTerms:
    """Any servicing terms (`shorten=False` leaves out `excess="shorten_term"`)."""
    excess = get_args(microloan.ExcessHandling)
    return microloan.ServicingTerms(
        penalty_rate=draw(st.sampled_from(get_args(microloan.PenaltyPreset)) | product_rates),
        penalty_on_interest=draw(st.booleans()),
        grace_days=draw(st.integers(0, 5)),
        allocation=draw(st.sampled_from(get_args(microloan.AllocationOrder))),
        excess=draw(st.sampled_from([e for e in excess if shorten or e != "shorten_term"])),
        early_interest=draw(st.sampled_from(get_args(microloan.EarlyRepaymentInterest))),
    )


@st.composite
def fresh_loans(draw: st.DrawFn) -> microloan.Loan:
    """A loan with no transactions: open-ended (daily interest) or on a generated schedule."""
    start = draw(st.dates(_FROM, _UNTIL))
    principal = draw(whole_yuan(100, 50_000))
    if draw(st.booleans()):
        terms = draw(servicing_terms(shorten=False))
        return microloan.Loan.open_ended(
            principal=principal,
            rate=draw(product_rates),
            start=start,
            maturity=start + timedelta(days=draw(st.integers(1, 180))),
            days_in_year=draw(days_in_year_choices),
            penalty_rate=terms.penalty_rate,
            penalty_on_interest=terms.penalty_on_interest,
            grace_days=terms.grace_days,
            allocation=terms.allocation,
            early_interest=terms.early_interest,
        )
    method = draw(st.sampled_from(sorted(_GENERATORS)))
    plan = _GENERATORS[method](
        principal, rate=draw(product_rates), term=draw(st.integers(1, 6)), start=start
    )
    return microloan.Loan(schedule=plan, terms=draw(servicing_terms(shorten=method in _LEVEL)))


@st.composite
def loans_with_history(draw: st.DrawFn) -> microloan.Loan:
    """A loan with a history of 0-5 repayments, fees, waivers, a write-off, refunds of its
    credit, recoveries or a reversal."""
    loan = draw(fresh_loans())
    day = loan.start
    for _ in range(draw(st.integers(0, 5))):
        day += timedelta(days=draw(st.integers(0, 45)))
        action = draw(
            st.sampled_from(
                ["repay", "repay", "fee", "waive", "write_off", "reverse", "refund", "recover"]
            )
        )
        try:
            if action == "repay":
                loan = loan.repay(draw(whole_yuan(1, 20_000)), on=day)
            elif action in ("refund", "recover"):
                where = loan.position(on=day)
                most = (where.credit if action == "refund" else where.payoff_amount).minor_units
                amount = Money.from_minor_units(draw(st.integers(1, max(most, 1))))
                loan = (loan.refund if action == "refund" else loan.recover)(amount, on=day)
            elif action == "fee":
                due = day + timedelta(days=draw(st.integers(0, 30)))
                loan = loan.charge_fee(draw(whole_yuan(1, 200)), on=day, due=due)
            elif action == "waive":
                component = draw(st.sampled_from(["penalty", "fees", "interest"]))
                loan = loan.waive(component, on=day)  # type: ignore[arg-type]  # sampled literal
            elif action == "write_off":
                loan = loan.write_off(on=day)
            elif loan.transactions:
                chosen = draw(st.sampled_from(loan.transactions))
                loan = loan.reverse(chosen)
        except _FAILED:
            continue
    return loan


#: The changes of plan a running loan takes (`Loan.defer` and friends).
EVENTS: Final = ("defer", "extend", "reage", "reamortize", "reprice")


def post_event(
    draw: Callable[[st.SearchStrategy[Any]], Any], loan: microloan.Loan, kind: str, on: date
) -> microloan.Loan:
    """`loan` with one change of plan of `kind` on `on`, its parameters drawn (may raise)."""
    if kind == "defer":
        interest = draw(st.sampled_from(get_args(microloan.DeferredInterest)))
        return loan.defer(on=on, installments=draw(st.integers(1, 6)), interest=interest)
    if kind == "extend":
        return loan.extend(on=on, term=draw(st.integers(1, 12)))
    if kind == "reage":
        first_due = draw(st.none() | st.integers(1, 40).map(lambda d: on + timedelta(days=d)))
        return loan.reage(on=on, term=draw(st.integers(1, 12)), first_due=first_due)
    if kind == "reamortize":
        return loan.reamortize(on=on)
    return loan.reprice(draw(product_rates | st.just(Rate.annual("4.35%"))), on=on)


@st.composite
def loan_events(  # noqa: C901 - one branch per operation
    draw: st.DrawFn,
    loans: st.SearchStrategy[microloan.Loan],
    *,
    events: bool = True,
    steps: int | None = None,
    back_dated: bool = True,
) -> microloan.Loan:
    """A loan after a history mixing repayments, fees, waivers, write-offs, reversals and
    (with `events`) deferrals, extensions, re-ageings, re-amortisations and repricings,
    some back-dated (with `back_dated`)."""
    loan = draw(loans)
    day = max((p.on for p in loan._postings), default=loan.start)
    actions = ["repay", "repay", "fee", "waive", "write_off", "reverse"]
    if events:
        actions = [*actions, *EVENTS, *EVENTS] if steps is None else list(EVENTS)
    for _ in range(draw(st.integers(1, 10)) if steps is None else steps):
        day += timedelta(days=draw(st.integers(0, 60)))
        on = day
        if back_dated and draw(st.integers(0, 4)) == 0:
            on = max(loan.start, day - timedelta(days=draw(st.integers(1, 90))))
        action = draw(st.sampled_from(actions))
        try:
            if action == "repay":
                loan = loan.repay(draw(whole_yuan(1, 20_000)), on=on)
            elif action == "fee":
                loan = loan.charge_fee(draw(whole_yuan(1, 200)), on=on)
            elif action == "waive":
                component = draw(st.sampled_from(["penalty", "fees", "interest"]))
                loan = loan.waive(component, on=on)  # type: ignore[arg-type]
            elif action == "write_off":
                loan = loan.write_off(on=on)
            elif action == "reverse":
                if loan.transactions:
                    loan = loan.reverse(draw(st.sampled_from(loan.transactions)))
            else:
                loan = post_event(draw, loan, action, on)
        except _FAILED:
            continue
    return loan


@st.composite
def loan_positions(draw: st.DrawFn) -> microloan.LoanPosition:
    """A loan's position on a day during or after its life."""
    loan = draw(loans_with_history())
    return loan.position(on=loan.start + timedelta(days=draw(st.integers(0, 400))))


def _transactions(loan: microloan.Loan) -> tuple[microloan.Transaction, ...]:
    return (*loan.transactions, *loan.reversed_transactions)


#: A posting, live or reversed, of a loan with a history.
transactions = loans_with_history().map(_transactions).filter(bool).flatmap(st.sampled_from)
#: One allocation of such a posting.
allocations = transactions.map(lambda t: t.allocations).filter(bool).flatmap(st.sampled_from)
#: One row of the ledger of such a loan (`Loan.ledger_rows`), its journal's rows included
#: half of the time.
ledger_rows = (
    st.tuples(loans_with_history(), st.booleans())
    .map(lambda case: case[0].ledger_rows(journal=case[1]))
    .flatmap(st.sampled_from)
)
#: The due or the overdue breakdown of a loan's position.
breakdowns = loan_positions().flatmap(lambda p: st.sampled_from([p.due, p.overdue]))

_PRESETS = ("order_loan", "revolving_credit", "fixed_credit", "installment_loan")


@st.composite
def products(draw: st.DrawFn) -> microloan.LoanProduct:
    """A preset product, as is or with its servicing and line options changed."""
    preset: microloan.LoanProduct = getattr(
        microloan.LoanProduct, draw(st.sampled_from(_PRESETS))
    )()
    changes = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "name": st.text(min_size=1, max_size=6).filter(str.strip),
                "rate": product_rates,
                "max_days": st.none() | st.integers(1, 365),
                "days_in_year": days_in_year_choices,
                "rounding": rounding_modes,
                "penalty_rate": st.sampled_from(get_args(microloan.PenaltyPreset)) | product_rates,
                "penalty_on_interest": st.booleans(),
                "grace_days": st.integers(0, 5),
                "allocation": st.sampled_from(get_args(microloan.AllocationOrder)),
                "line_months": st.integers(1, 24),
                "validity_days": st.integers(0, 60),
                "interest_consumes_limit": st.booleans(),
            },
        )
    )
    return attrs.evolve(preset, **changes)


def _yuan(money: Money) -> int:
    return int(money.amount)


@st.composite
def drawn_lines(draw: st.DrawFn, line: microloan.CreditLine, day: date) -> microloan.CreditLine:
    """The line after a draw on `day` of up to what is available, by the product's rules if any."""
    product = line.product
    low = _yuan(product.min_amount) if product is not None else 1
    high = _yuan(line.available(on=day))
    if product is not None:
        high = min(high, _yuan(product.max_amount))
    if high < low:
        return line  # nothing can be drawn on this day
    amount = draw(whole_yuan(low, high))
    methods: tuple[Any, ...] = product.methods if product is not None else ("open_ended",)
    method = draw(st.sampled_from(methods + (() if product is not None else tuple(_GENERATORS))))
    if method == "open_ended":
        longest = product.max_days if product is not None and product.max_days else 90
        maturity = day + timedelta(days=draw(st.integers(1, min(longest, 90))))
        return line.draw(amount, on=day, method=method, maturity=maturity)
    terms = product.terms if product is not None and product.terms else (1, 2, 3, 4)
    return line.draw(amount, on=day, method=method, term=draw(st.sampled_from(terms)))


@st.composite
def line_actions(draw: st.DrawFn, line: microloan.CreditLine, day: date) -> microloan.CreditLine:
    """One thing that happens to a line on `day` (it may refuse it: then nothing happens)."""
    action = draw(
        st.sampled_from(["draw"] * 4 + ["repay"] * 3 + ["freeze", "unfreeze", "limit", "refund"])
    )
    states = {"freeze": line.freeze, "unfreeze": line.unfreeze}
    product = line.product
    try:
        if action in states:
            return states[action](on=day)
        if action == "refund":  # part or all of the credit held
            held = line.position(on=day).credit.minor_units
            return line.refund(Money.from_minor_units(draw(st.integers(1, max(held, 1)))), on=day)
        if action == "repay":
            which = draw(
                st.none() | st.integers(0, len(line.drawdowns))
            )  # one past the end: refused
            return line.repay(draw(whole_yuan(1, 30_000)), on=day, drawdown=which)
        if action == "limit":
            low, high = (
                (1_000, 300_000)
                if product is None
                else (_yuan(product.min_limit), _yuan(product.max_limit))
            )
            return line.with_limit(draw(whole_yuan(low, high)), on=day)
        return draw(drawn_lines(line, day))
    except _FAILED:
        return line


@st.composite
def credit_lines(draw: st.DrawFn) -> microloan.CreditLine:
    """A revolving or fixed line, of a product or not, after draws, repayments and changes."""
    opened = draw(st.dates(_FROM, _UNTIL))
    if draw(st.booleans()):
        product = draw(products())
        limit = draw(whole_yuan(_yuan(product.min_limit), _yuan(product.min_limit) * 3))
        line = microloan.CreditLine.from_product(product, limit=limit, opened=opened)
    else:
        kinds: list[Callable[..., microloan.CreditLine]] = [
            microloan.CreditLine.revolving,
            microloan.CreditLine.fixed,
        ]
        make = draw(st.sampled_from(kinds))
        expires = opened + timedelta(days=draw(st.integers(0, 365)))
        line = make(
            limit=draw(whole_yuan(1_000, 200_000)),
            rate=draw(product_rates),
            opened=opened,
            expires=expires,
            use_by=draw(st.none() | st.dates(opened, expires)),
        )
    day = opened + timedelta(days=draw(st.integers(0, 10)))
    with contextlib.suppress(*_FAILED):
        line = draw(drawn_lines(line, day))  # most lines are drawn on soon after they open
    for _ in range(draw(st.integers(0, 5))):
        day += timedelta(days=draw(st.integers(0, 20)))
        line = draw(line_actions(line, day))
    if draw(st.sampled_from([False, False, False, True])):
        with contextlib.suppress(*_FAILED):
            line = line.close(on=day)
    return line


@st.composite
def line_positions(draw: st.DrawFn) -> microloan.LinePosition:
    """A line's position on a day from its opening to a year after its last event."""
    line = draw(credit_lines())
    return line.position(on=line.opened + timedelta(days=draw(st.integers(0, 500))))


def servicing_strategies() -> dict[type, st.SearchStrategy[Any]]:
    """Strategies for the servicing classes: loans, postings, products and credit lines."""
    return {
        microloan.ServicingTerms: servicing_terms(),
        microloan.Loan: loans_with_history(),
        microloan.LoanPosition: loan_positions(),
        microloan.Transaction: transactions,
        microloan.Allocation: allocations,
        microloan.LedgerRow: ledger_rows,
        microloan.Breakdown: breakdowns,
        microloan.LoanProduct: products(),
        microloan.CreditLine: credit_lines(),
        microloan.LinePosition: line_positions(),
    }


# -- reports, lift tables, funnels and cohorts, built by the library's own functions ---

_ON = date(2026, 6, 30)


@st.composite
def history_records(draw: st.DrawFn) -> list[Any]:
    """Loan records snapshotted on their own dates, with the optional history fields filled."""
    records = []
    for loan_id in range(draw(st.integers(1, 6))):
        disbursed = _ON - timedelta(days=draw(st.integers(0, 300)))
        on = min(disbursed + timedelta(days=draw(st.integers(0, 200))), _ON)
        first_due = disbursed + timedelta(days=draw(st.sampled_from([7, 30, 31])))
        principal = draw(st.integers(100, 10**7))
        days_past_due = draw(st.integers(0, 120))
        records.append(
            microloan.LoanRecord(
                loan_id=draw(st.sampled_from([str(loan_id), f"L-{loan_id}"]))
                if draw(st.booleans())
                else loan_id,
                disbursed=disbursed,
                principal=Money.from_minor_units(principal),
                outstanding=Money.from_minor_units(draw(st.integers(0, principal))),
                days_past_due=days_past_due,
                on=on,
                max_days_past_due=draw(st.none() | st.integers(days_past_due, 200)),
                first_installment_days_past_due=(
                    draw(st.none() | st.integers(0, 60)) if first_due <= on else None
                ),
                first_due=first_due,
                written_off=draw(st.booleans()),
            )
        )
    return records


#: The days-past-due thresholds the overdue reports are read at.
overdue_thresholds = st.sampled_from([0, 1, 30, 90])

#: Binary values with a missing one in the mix: the raw material of lift tables.
feature_values = st.lists(
    st.none() | st.integers(0, 30) | st.decimals(0, 30, places=1), min_size=4, max_size=12
)


@st.composite
def flagged_features(draw: st.DrawFn) -> tuple[list[Any], list[int]]:
    """Values and bad flags with at least one bad and one good."""
    values = draw(feature_values)
    bads = [
        1,
        0,
        *draw(st.lists(st.integers(0, 1), min_size=len(values) - 2, max_size=len(values) - 2)),
    ]
    return values, bads


#: A reject rule: a comparison, a set membership or missing.
lift_rules = (
    st.builds(
        microloan.Rule,
        st.sampled_from([">=", ">", "<=", "<"]),
        st.integers(0, 30) | st.decimals(0, 30, places=2),
    )
    | st.builds(
        microloan.Rule,
        st.sampled_from(["in", "not in"]),
        st.frozensets(st.integers(0, 30), max_size=3),
    )
    | st.just(microloan.Rule("missing"))
)


def _numbers(values: list[Any]) -> list[Any]:
    return [v for v in values if v is not None]


@st.composite
def bins_for(draw: st.DrawFn, values: list[Any]) -> Any:
    """Bins for `values`: a count, explicit cuts, or equal-width / equal-frequency cuts."""
    kind = draw(st.sampled_from(["count", "cuts", "width", "frequency"]))
    if kind == "count":
        return draw(st.integers(1, 4))
    if kind == "cuts":
        return sorted(draw(st.sets(st.integers(1, 29), min_size=1, max_size=3)))
    make = microloan.equal_width if kind == "width" else microloan.equal_frequency
    return make(_numbers(values) or [0], draw(st.integers(1, 3)))


@st.composite
def lift_tables(draw: st.DrawFn) -> Any:
    """A lift table of generated data, weighted or not."""
    values, bads = draw(flagged_features())
    bins = draw(bins_for(values))
    weighted = not isinstance(bins, int) and draw(st.booleans())  # weights need explicit bins
    return microloan.lift_table(
        values,
        bads,
        bins=bins,
        weights=[Decimal("1.5")] * len(values) if weighted else None,
        woe_zero=draw(st.sampled_from(get_args(microloan.WoeZeroRule))),
        worst_end=draw(st.sampled_from(get_args(microloan.WorstEnd))),
    )


@st.composite
def activity_logs(draw: st.DrawFn) -> tuple[list[str], list[date]]:
    """1-10 users (a to e) active on days of the first half of 2019, as two columns."""
    size = draw(st.integers(1, 10))
    users = draw(st.lists(st.sampled_from("abcde"), min_size=size, max_size=size))
    days = draw(
        st.lists(st.dates(date(2019, 1, 1), date(2019, 6, 30)), min_size=size, max_size=size)
    )
    return users, days


#: 1-5 named funnel stages with non-increasing counts up to 1000.
named_stage_counts = st.lists(st.integers(0, 1000), min_size=1, max_size=5).map(
    lambda counts: [(f"stage {i}", c) for i, c in enumerate(sorted(counts, reverse=True))]
)


def channel_funnels(stages: int) -> st.SearchStrategy[dict[str, list[tuple[str, int]]]]:
    """Channels whose funnels have the same `stages` stages."""
    counts = st.lists(st.integers(0, 1000), min_size=stages, max_size=stages)
    return st.dictionaries(
        st.sampled_from(["app", "web", "partner"]),
        counts.map(lambda c: [(f"stage {i}", n) for i, n in enumerate(sorted(c, reverse=True))]),
        min_size=1,
        max_size=3,
    )


def analytics_strategies() -> dict[type, st.SearchStrategy[Any]]:
    """Strategies for reports, bins, lift, funnels, cohorts and funding (by their functions)."""
    m = microloan
    records = history_records()
    tables = lift_tables()
    funnels = named_stage_counts.map(m.funnel)
    repeats = activity_logs().flatmap(
        lambda ud: st.builds(
            lambda window: m.repeat_borrowing(ud[1], ud[0], window=window), st.integers(1, 3)
        )
    )
    matrices = activity_logs().map(lambda ud: m.cohort_retention(ud[0], ud[1]))
    rules = st.sampled_from([m.LeverageRule.guidance_2008(), m.LeverageRule.notice_2020()])
    return {
        m.LoanRecord: records.flatmap(st.sampled_from),
        m.OverdueRates: st.builds(
            lambda r, over: m.overdue_rates(
                [attrs.evolve(x, on=_ON) for x in r], on=_ON, over=over
            ),
            records,
            overdue_thresholds,
        ),
        m.Vintage: st.builds(lambda r, over: m.vintage(r, over=over), records, overdue_thresholds),
        m.FirstPaymentDefault: st.builds(
            lambda r, over: m.first_payment_default(r, over=over), records, overdue_thresholds
        ),
        m.CutBins: feature_values.flatmap(bins_for).filter(lambda b: not isinstance(b, int | list)),
        m.CategoryBins: st.builds(
            m.categories,
            st.lists(
                st.sampled_from(["A", "B", "C", None]) | st.decimals(0, 2, places=1),
                min_size=1,
                max_size=6,
            ),
            ordered=st.booleans(),
            other=st.booleans(),
        ),
        m.Rule: lift_rules,
        m.CountTable: flagged_features().map(lambda vb: m.CountTable.from_data(*vb)),
        m.LiftTable: tables,
        m.LiftRow: tables.flatmap(lambda t: st.sampled_from(t.rows)),
        m.LiftRanking: st.dictionaries(st.sampled_from("xyz"), tables, min_size=1, max_size=2)
        .map(m.rank_by_lift)
        .filter(bool)
        .flatmap(st.sampled_from),
        m.RejectImpact: st.builds(
            lambda vb, rule: m.reject_impact(*vb, reject=rule), flagged_features(), lift_rules
        ),
        m.CombinedImpact: st.builds(
            lambda vb, rule, other: m.combined_impact(
                vb[1], {"first": (vb[0], rule), "second": (list(reversed(vb[0])), other)}
            ),
            flagged_features(),
            lift_rules,
            lift_rules,
        ),
        m.Funnel: funnels,
        m.FunnelStep: funnels.flatmap(lambda f: st.sampled_from(f.steps)),
        m.FunnelComparison: st.integers(1, 4).flatmap(channel_funnels).map(m.compare_funnels),
        m.RepeatBorrowing: repeats,
        m.RepeatDay: repeats.map(lambda r: r.days).filter(bool).flatmap(st.sampled_from),
        m.DailyRate: activity_logs()
        .map(
            lambda ud: m.disbursement_rate_by_day(
                ud[1], ud[0], [i % 2 for i in range(len(ud[0]))], segment="all"
            )
        )
        .filter(bool)
        .flatmap(st.sampled_from),
        m.Activity: activity_logs().map(lambda ud: m.Activity.from_records(*ud)),
        m.CohortMatrix: matrices,
        m.CohortRow: matrices.map(lambda c: c.rows).filter(bool).flatmap(st.sampled_from),
        m.LeverageRule: rules,
        m.FundingLimits: st.builds(
            m.FundingLimits,
            net_capital=whole_yuan(1, 10**9),
            rule=rules,
            borrowings=st.none() | whole_yuan(0, 10**9),
        ),
    }


@st.composite
def trial_balances(draw: st.DrawFn) -> microloan.TrialBalance:
    """Debits and credits in minor units on some accounts of the default chart, sorted."""
    names = sorted(set(attrs.astuple(microloan.ChartOfAccounts())))
    chosen = sorted(draw(st.lists(st.sampled_from(names), unique=True, max_size=6)))
    amounts = st.integers(0, 10**8)
    return microloan.TrialBalance(
        on=draw(dates),
        currency=draw(st.none() | st.sampled_from(["CNY", "USD"])),
        cells=tuple((account, draw(amounts), draw(amounts)) for account in chosen),
    )


@st.composite
def charts_of_accounts(draw: st.DrawFn) -> microloan.ChartOfAccounts:
    """The default chart with a few roles renamed (a ledger code) or mapped onto another's."""
    roles = [f.name for f in attrs.fields(microloan.ChartOfAccounts)]
    renamed = draw(st.lists(st.sampled_from(roles), unique=True, max_size=4))
    names = st.sampled_from(["1001 Bank", "1303 贷款", "gl.interest"]) | st.sampled_from(roles)
    return microloan.ChartOfAccounts(**{role: draw(names) for role in renamed})


#: Hand-written strategies for classes whose fields must agree with each other.
KNOWN: dict[type, st.SearchStrategy[Any]] = {
    microloan.TrialBalance: trial_balances(),
    microloan.ChartOfAccounts: charts_of_accounts(),
    **report_strategies(),
    **servicing_strategies(),
    **analytics_strategies(),
    # in other classes an amount is most often non-negative and in the one currency
    Money: st.integers(0, 10**8).map(Money.from_minor_units),
    Rate: any_rate(),
    Installment: installments(),
    Schedule: hand_built_schedules(),
}


def _try_build(cls: Callable[..., object], kwargs: dict[str, object]) -> object:
    try:
        return cls(**kwargs)
    except (MicroloanError, ValueError, TypeError, ArithmeticError, LookupError):
        return None


def strategy_for(annotation: Any) -> st.SearchStrategy[Any]:  # noqa: C901, PLR0911, PLR0912 - a branch per form
    """A strategy for any annotation the serializer supports (the generic fallback)."""
    import types
    import typing

    if annotation in KNOWN:
        return KNOWN[annotation]
    simple: dict[object, st.SearchStrategy[Any]] = {
        str: st.text(max_size=8),
        int: st.integers(0, 400),  # counts, days and terms are small and non-negative
        bool: st.booleans(),
        float: st.floats(allow_nan=False),
        Decimal: exact_decimals,
        date: dates,
        datetime: st.datetimes(timezones=st.none() | st.just(timezone(timedelta(hours=8)))),
        type(None): st.none(),
        object: st.none() | st.integers() | st.text(max_size=5),
        Any: st.none() | st.integers() | st.text(max_size=5),
    }
    if annotation in simple:
        return simple[annotation]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return st.sampled_from(args)
    if origin is typing.Union or origin is types.UnionType:
        arms = []
        for arm in args:
            with contextlib.suppress(LookupError):  # e.g. `Callable | None`: only None is built
                arms.append(strategy_for(arm))
        if not arms:
            raise LookupError(annotation)
        return st.one_of(arms)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(strategy_for(args[0]), max_size=3).map(tuple)
    if origin is tuple:
        return st.tuples(*(strategy_for(a) for a in args))
    if origin is list:
        return st.lists(strategy_for(args[0]), max_size=3)
    if origin in (frozenset, set):
        return st.frozensets(strategy_for(args[0]), max_size=3).map(origin)
    if origin in (dict, Mapping):
        return st.dictionaries(strategy_for(args[0]), strategy_for(args[1]), max_size=3)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return st.sampled_from(list(annotation))
    if isinstance(annotation, type) and attrs.has(annotation):
        hints = typing.get_type_hints(annotation)
        fields = {
            (f.alias or f.name): strategy_for(hints[f.name])
            for f in attrs.fields(annotation)
            if f.init
        }
        return st.builds(_try_build, st.just(annotation), st.fixed_dictionaries(fields)).filter(
            lambda value: value is not None
        )
    msg = f"no strategy for {annotation!r}"
    raise LookupError(msg)


# -- fuzzing (test_serialization) ---------------------------------------------------

#: Any JSON-like data, the serializer's own keys and values in the mix.
json_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["1.50", "CNY", "2026-01-15", "annual", "monthly", "Money", "1E+5"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["type", "version", "amount", "currency", "value", "unit", "x"])
            | st.text(max_size=5),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@st.composite
def headed_junk(draw: st.DrawFn) -> dict[str, object]:
    """A document with a real type and version and junk in the class's own field names."""
    name, cls = draw(st.sampled_from(sorted(serializable_types().items())))
    keys = [f.alias or f.name for f in attrs.fields(cls) if f.init]  # type: ignore[arg-type]
    body = draw(st.dictionaries(st.sampled_from(keys), json_junk, max_size=len(keys)))
    return {"type": name, "version": draw(st.sampled_from([1, 1, 1, 2, 0])), **body}


def ascii_id(value: object) -> str:
    """A test id in ASCII (`１２３` → `U+FF11U+FF12U+FF13`): selectable by node id anywhere."""
    return "".join(c if c.isascii() else f"U+{ord(c):04X}" for c in str(value))


@st.composite
def booked_loans(draw: st.DrawFn) -> tuple[microloan.Loan, date]:
    """A loan with a history and a day to close its books on (up to 150 days after its last event)."""
    loan = draw(loans_with_history())
    last = max((t.on for t in loan.transactions), default=loan.start)
    return loan, last + timedelta(days=draw(st.integers(0, 150)))


@st.composite
def markov_chains(draw: st.DrawFn) -> dict[str, dict[str, Decimal]]:
    """A small chain over buckets M0-M2 with absorbing "default" and "paid_off": rows in hundredths."""
    states = ["M0", "M1", "M2"]
    targets = [*states, "default", "paid_off"]
    chain: dict[str, dict[str, Decimal]] = {}
    for state in states:
        weights = draw(st.lists(st.integers(0, 20), min_size=len(targets), max_size=len(targets)))
        if not any(weights):
            weights[targets.index("default")] = 1
        total = sum(weights)
        # a row in hundredths, summing to exactly 1: the rounding rest goes to the state itself
        row = {t: Decimal(w * 100 // total) / 100 for t, w in zip(targets, weights, strict=True)}
        row[state] += 1 - sum(row.values())
        chain[state] = {
            t: p for t, p in row.items() if p or t == "default"
        }  # default stays a state
    return chain


# -- fees (test_fees) ----------------------------------------------------------------

#: A per-installment fee: a flat amount or a rate on the original principal.
per_installment_fees = st.one_of(
    whole_yuan(1, 50).map(lambda m: microloan.Fee.per_installment(amount=m)),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.02"), places=4).map(
        lambda r: microloan.Fee.per_installment(rate=r)
    ),
)

#: Late and prepayment fees: the servicing rules.
servicing_fees = st.lists(
    st.one_of(
        whole_yuan(1, 50).map(microloan.Fee.late),
        st.decimals(min_value=Decimal("0.001"), max_value=Decimal("0.05"), places=3).map(
            microloan.Fee.prepayment
        ),
    ),
    max_size=2,
)


@st.composite
def fee_lists(draw: st.DrawFn, principal: Money) -> list[microloan.Fee]:
    """0-3 fees a schedule of `principal` can carry: upfront (below it), per installment."""
    fees: list[microloan.Fee] = []
    if draw(st.booleans()):
        cap = max(1, int(principal.amount) // 10)
        fees.append(microloan.Fee.upfront(draw(whole_yuan(1, cap)), financed=draw(st.booleans())))
    fees.extend(draw(st.lists(per_installment_fees, max_size=2)))
    return fees


@st.composite
def fee_loans(draw: st.DrawFn) -> microloan.Loan:
    """A loan on a generated schedule with per-installment, late and prepayment fees."""
    start = draw(st.dates(_FROM, _UNTIL))
    principal = draw(whole_yuan(100, 50_000))
    method = draw(st.sampled_from(sorted(_GENERATORS)))
    fees = [draw(per_installment_fees), *draw(servicing_fees)]
    plan = _GENERATORS[method](
        principal, rate=draw(product_rates), term=draw(st.integers(1, 6)), start=start, fees=fees
    )
    return microloan.Loan(schedule=plan, terms=draw(servicing_terms(shorten=method in _LEVEL)))
