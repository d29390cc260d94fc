"""Portfolio reports: ageing, overdue rates, roll rates, vintage, FPD; exact merges; bad records."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import (
    AgeingReport,
    BucketScheme,
    CurrencyMismatchError,
    InvalidRecordError,
    InvalidValueError,
    LoanLike,
    LoanRecord,
    Money,
    ageing_report,
    classify,
    first_payment_default,
    overdue_rates,
    roll_rates,
    vintage,
)
from tests.strategies import loan_books, loan_panels, scheme_names

ON = date(2026, 3, 31)


def rec(
    loan_id: str | int,
    disbursed: date,
    principal: str | int,
    outstanding: str | int,
    dpd: int = 0,
    **extra: object,
) -> LoanRecord:
    return LoanRecord(
        loan_id=loan_id,
        disbursed=disbursed,
        principal=Money(principal),
        outstanding=Money(outstanding),
        days_past_due=dpd,
        **extra,  # type: ignore[arg-type]
    )


def close(value: Decimal | None, num: int, den: int) -> bool:
    """`value` is num/den to 30 places (the library divides to 34 significant digits)."""
    assert value is not None
    return abs(Fraction(value) - Fraction(num, den)) < Fraction(1, 10**30)


# A hand-checked book on 31 March 2026 (amounts in yuan):
#   L1 Jan-10 principal 1000 outstanding  600 DPD   0 -> M0 / normal
#   L2 Jan-20 principal 2000 outstanding 1500 DPD  15 -> M1 / special_mention
#   L3 Feb-05 principal 1000 outstanding  900 DPD  45 -> M2 / special_mention
#   L4 Oct-01 principal 3000 outstanding 1000 DPD 100 -> M4 / substandard
#   L5 Mar-01 principal  500 outstanding  500 DPD   0 -> M0 / normal
# total 5 loans, 4500 outstanding; overdue L2+L3+L4 = 3 loans, 3400.
BOOK = [
    rec("L1", date(2026, 1, 10), 1000, 600),
    rec("L2", date(2026, 1, 20), 2000, 1500, 15),
    rec("L3", date(2026, 2, 5), 1000, 900, 45),
    rec("L4", date(2025, 10, 1), 3000, 1000, 100),
    rec("L5", date(2026, 3, 1), 500, 500),
]


# -- ageing: known answers ---------------------------------------------------------


def test_hand_checked_ageing_by_m_buckets() -> None:
    """Counts, balances and shares of the hand-checked book (see the table above)."""
    report = ageing_report(BOOK, on=ON, scheme="m")
    assert [report.count(label) for label in report.labels] == [2, 1, 1, 0, 1, 0, 0, 0]
    assert report.outstanding("M0") == Money("1100.00")
    assert report.outstanding("M4") == Money("1000.00")
    assert report.total_count == 5
    assert report.total_outstanding == Money("4500.00")
    assert report.share("M0", by="count") == Decimal("0.4")
    assert close(report.share("M0"), 1100, 4500)
    assert report.share("M3") == 0


def test_hand_checked_overdue_ratios() -> None:
    """Overdue 3/5 and 3400/4500; over 30 (L3, L4) 2/5 and 1900/4500; over 90 (L4) 1/5, 1000/4500."""
    report = ageing_report(BOOK, on=ON)
    assert report.overdue_rate(by="count") == Decimal("0.6")
    assert close(report.overdue_rate(), 3400, 4500)
    assert report.m1_plus_rate(by="count") == Decimal("0.4")
    assert close(report.m1_plus_rate(), 1900, 4500)
    assert report.m3_plus_rate(by="count") == Decimal("0.2")
    assert close(report.m3_plus_rate(), 1000, 4500)
    assert close(report.npl_ratio(), 1000, 4500)


def test_hand_checked_five_tier_report() -> None:
    """Five-tier: normal L1+L5, special mention L2+L3, substandard L4; NPL = L4 only."""
    report = ageing_report(BOOK, on=ON, scheme="five-tier")
    counts = {label: report.count(label) for label in report.labels}
    assert counts == {
        "normal": 2,
        "special_mention": 2,
        "substandard": 1,
        "doubtful": 0,
        "loss": 0,
    }
    assert report.npl_ratio(by="count") == Decimal("0.2")


def test_override_applies_per_record_in_reports() -> None:
    """A restructured current loan counted as substandard raises the NPL ratio to 2 of 5."""

    def restructured(subject: object, _label: str) -> str | None:
        return "substandard" if getattr(subject, "loan_id", None) == "L1" else None

    scheme = BucketScheme.preset("five-tier").with_override(restructured)
    report = ageing_report(BOOK, on=ON, scheme=scheme)
    assert report.count("substandard") == 2
    assert report.npl_ratio(by="count") == Decimal("0.4")
    assert report.m3_plus_rate(by="count") == Decimal("0.2")  # by days: unchanged


def test_rows_list_every_bucket_then_the_total() -> None:
    """as_rows: one row per bucket in order, then a total row whose figures add up."""
    rows = ageing_report(BOOK, on=ON, scheme="us").as_rows()
    assert [r["bucket"] for r in rows] == [
        "current",
        "1-29",
        "30-59",
        "60-89",
        "90-119",
        "120+",
        "total",
    ]
    assert rows[-1]["loans"] == 5
    assert rows[-1]["outstanding"] == Money("4500.00")
    assert rows[2] == {
        "bucket": "30-59",
        "loans": 1,
        "loan_share": Decimal("0.2"),
        "outstanding": Money("900.00"),
        "balance_share": Decimal("0.2"),
    }


def test_an_empty_portfolio_has_no_rates() -> None:
    """0/0 is not 0: rates are None, totals zero."""
    report = ageing_report([], on=ON)
    assert report.total_count == 0
    assert report.overdue_rate() is None
    assert report.total_outstanding == Money("0.00")


def test_mappings_and_positions_are_accepted_between_records() -> None:
    """Dict rows and objects with the fields mix with LoanRecords; the result is the same."""

    @dataclass
    class Position:
        loan_id: str
        disbursed: date
        principal: Money
        outstanding: Money
        days_past_due: int

    as_dict = {
        "loan_id": "L2",
        "disbursed": date(2026, 1, 20),
        "principal": Money(2000),
        "outstanding": Money(1500),
        "days_past_due": 15,
    }
    as_object = Position("L3", date(2026, 2, 5), Money(1000), Money(900), 45)
    mixed: list[LoanRecord | LoanLike | Mapping[str, object]]
    mixed = [BOOK[0], as_dict, as_object, BOOK[3], BOOK[4]]
    assert ageing_report(mixed, on=ON) == ageing_report(BOOK, on=ON)


# -- coincident and lagged rates ---------------------------------------------------


def test_hand_checked_coincident_and_lagged_rates() -> None:
    """Coincident 3400/4500; lagged 2 months: loans of Jan 2026 or before (L1, L2, L4).

    Their principal 1000 + 2000 + 3000 = 6000, their overdue outstanding 1500 + 1000 = 2500:
    2500/6000; by count 2 of 3. Lagged 0 months: 3400 over all 7500 lent.
    """
    rates = overdue_rates(BOOK, on=ON)
    assert close(rates.coincident(), 3400, 4500)
    assert rates.coincident(by="count") == Decimal("0.6")
    assert close(rates.lagged(months=2), 2500, 6000)
    assert close(rates.lagged(months=2, by="count"), 2, 3)
    assert close(rates.lagged(months=0), 3400, 7500)
    assert rates.lagged(months=12) is None  # nothing lent a year before


def test_repaid_loans_count_only_in_the_lagged_denominator() -> None:
    """A repaid loan (nothing outstanding or overdue) is off book but was lent."""
    repaid = rec("L6", date(2025, 12, 1), 4000, 0)
    rates = overdue_rates([*BOOK, repaid], on=ON)
    assert close(rates.coincident(), 3400, 4500)
    assert close(rates.lagged(months=2), 2500, 10_000)


# -- roll rates ----------------------------------------------------------------


def _roll_example() -> tuple[list[LoanRecord], list[LoanRecord]]:
    d = date(2026, 1, 5)
    before = [
        rec("A", d, 100, 100),  # M0 -> M0
        rec("B", d, 100, 100),  # M0 -> M1
        rec("C", d, 100, 100, 10),  # M1 -> M2
        rec("D", d, 100, 100, 10),  # M1 -> paid off (closed record)
        rec("E", d, 100, 80, 40),  # M2 -> absent: paid off by default
        rec("F", d, 100, 80, 40),  # M2 -> written off
    ]
    after = [
        rec("A", d, 100, 90),
        rec("B", d, 100, 100, 12),
        rec("C", d, 100, 100, 41),
        rec("D", d, 100, 0),
        rec("F", d, 100, 80, 71, written_off=True),
        rec("G", date(2026, 3, 3), 100, 100),  # new
    ]
    return before, after


def test_hand_checked_roll_rates() -> None:
    """Each row: A, B from M0; C, D from M1; E, F from M2, as commented in the example."""
    before, after = _roll_example()
    rr = roll_rates(before, after, start=date(2026, 2, 28), end=ON)
    assert rr.count("M0", "M0") == rr.count("M0", "M1") == 1
    assert rr.count("M1", "M2") == rr.count("M1", "paid_off") == 1
    assert rr.count("M2", "paid_off") == rr.count("M2", "written_off") == 1
    assert rr.roll_forward("M0") == Decimal("0.5")
    assert rr.roll_forward("M1") == Decimal("0.5")
    assert rr.rate("M2", "written_off", by="balance") == Decimal("0.5")
    assert rr.balance("M0", "M0") == Money("100.00")
    assert rr.balance("M0", "M0", at="end") == Money("90.00")
    assert (rr.new_loans, rr.new_outstanding) == (1, 10000)
    assert rr.as_rows()[1]["M2"] == Decimal("0.5")


def test_absent_loans_can_be_refused() -> None:
    """absent='error' names the loan missing at the end."""
    before, after = _roll_example()
    with pytest.raises(InvalidRecordError, match=r"'E'"):
        roll_rates(before, after, start=date(2026, 2, 28), end=ON, absent="error")


def test_the_last_bucket_has_no_roll_forward() -> None:
    """M7+ has nowhere to roll."""
    before, after = _roll_example()
    rr = roll_rates(before, after, start=date(2026, 2, 28), end=ON)
    with pytest.raises(InvalidValueError, match="last bucket"):
        rr.roll_forward("M7+")


def test_a_loan_twice_in_a_snapshot_is_refused() -> None:
    """Duplicate loan ids make a transition ambiguous."""
    before, after = _roll_example()
    with pytest.raises(InvalidRecordError, match=r"'A'.*twice"):
        roll_rates([*before, before[0]], after, start=date(2026, 2, 28), end=ON)


# -- vintage -------------------------------------------------------------------


def _panel() -> list[LoanRecord]:
    jan, feb = date(2026, 1, 12), date(2026, 2, 3)
    m1, m2, m3 = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)
    return [
        rec("X", jan, 1000, 1000, on=m1),
        rec("X", jan, 1000, 900, on=m2),
        rec("X", jan, 1000, 800, 35, on=m3),  # X over 30 first at MOB 2
        rec("Y", jan, 3000, 3000, on=m1),
        rec("Y", jan, 3000, 2800, 0, max_days_past_due=40, on=m2),  # late mid-Feb: MOB 1
        rec("Y", jan, 3000, 2600, 0, max_days_past_due=40, on=m3),
        rec("Z", feb, 500, 500, on=m2),
        rec("Z", feb, 500, 400, on=m3),
    ]


def test_hand_checked_vintage() -> None:
    """Jan cohort (X 1000, Y 3000): MOB 0 none, MOB 1 Y (3000/4000), MOB 2 both (4000/4000)."""
    v = vintage(_panel(), over=30)
    assert v.cohorts == (date(2026, 1, 1), date(2026, 2, 1))
    assert v.curve(date(2026, 1, 1)) == (Decimal(0), Decimal("0.75"), Decimal(1))
    assert v.curve(date(2026, 1, 1), by="count") == (Decimal(0), Decimal("0.5"), Decimal(1))
    assert v.curve(date(2026, 2, 1)) == (Decimal(0), Decimal(0))
    assert v.share(date(2026, 2, 1), 5) is None
    assert v.principal(date(2026, 1, 1)) == Money("4000.00")
    rows = v.as_rows()
    assert rows[1] == {
        "cohort": "2026-02",
        "loans": 1,
        "principal": Money("500.00"),
        "mob_0": Decimal(0),
        "mob_1": Decimal(0),
        "mob_2": None,
    }


def test_vintage_threshold_is_configurable() -> None:
    """Over 60, neither X (35) nor Y (40) is bad."""
    assert vintage(_panel(), over=60).curve(date(2026, 1, 1)) == (Decimal(0),) * 3


def test_vintage_needs_snapshot_dates() -> None:
    """Months on book need the record's own date; the error names the loan."""
    with pytest.raises(InvalidRecordError, match=r"'L1'.*on"):
        vintage(BOOK)


def test_vintage_refuses_a_loan_that_changes_principal() -> None:
    """One loan, two principals: the second record is named."""
    panel = [*_panel(), rec("X", date(2026, 1, 12), 999, 0, on=ON)]
    with pytest.raises(InvalidRecordError, match=r"'X'"):
        vintage(panel)


# -- first-payment default ------------------------------------------------------


def test_hand_checked_fpd() -> None:
    """Jan: first installments 0, 8 and 35 days late, one not yet due: FPD7 2/3, FPD30 1/3."""
    d = date(2026, 1, 8)
    book = [
        rec(1, d, 100, 100, first_installment_days_past_due=0),
        rec(2, d, 300, 300, first_installment_days_past_due=8),
        rec(3, d, 600, 600, first_installment_days_past_due=35),
        rec(4, d, 100, 100),
    ]
    assert close(first_payment_default(book, over=7).rate(), 2, 3)
    assert close(first_payment_default(book, over=30).rate(), 1, 3)
    assert close(first_payment_default(book, over=7).rate(by="balance"), 900, 1000)
    assert first_payment_default(book, over=7).as_rows()[0]["defaults"] == 2


def test_fpd_leaves_out_first_installments_not_yet_judged() -> None:
    """Due 10 days ago and 5 days late: judged for FPD7 (not a default), not yet for FPD30."""
    young = rec(
        1,
        date(2026, 2, 10),
        100,
        100,
        5,
        first_installment_days_past_due=5,
        first_due=date(2026, 3, 10),
        on=date(2026, 3, 20),
    )
    assert first_payment_default([young], over=7).rate() == 0
    assert first_payment_default([young], over=30).rate() is None


# -- bad records -------------------------------------------------------------------


def test_negative_balances_are_refused_naming_the_loan() -> None:
    """A negative outstanding balance is an InvalidRecordError naming loan and field."""
    with pytest.raises(InvalidRecordError, match=r"record 'L-9': outstanding"):
        rec("L-9", date(2026, 1, 1), 100, -1)


def test_a_snapshot_before_disbursement_is_refused() -> None:
    """on before disbursed, in the record or as the report date, names the loan."""
    with pytest.raises(InvalidRecordError, match=r"'L-1'.*before the disbursement"):
        rec("L-1", date(2026, 3, 1), 100, 100, on=date(2026, 2, 1))
    late = rec("L-2", date(2026, 4, 2), 100, 100)
    with pytest.raises(InvalidRecordError, match=r"'L-2'.*after the report date"):
        ageing_report([*BOOK, late], on=ON)


def test_a_record_of_another_date_is_refused() -> None:
    """A record whose own snapshot is not the report date is named."""
    other = rec("L-3", date(2026, 1, 2), 100, 100, on=date(2026, 3, 30))
    with pytest.raises(InvalidRecordError, match=r"'L-3'.*report date"):
        ageing_report([*BOOK, other], on=ON)


def test_missing_fields_name_the_record_by_position() -> None:
    """A dict row without days_past_due is named by its index and loan id."""
    row = {
        "loan_id": "B",
        "disbursed": date(2026, 1, 1),
        "principal": Money(1),
        "outstanding": Money(1),
    }
    with pytest.raises(InvalidRecordError, match=r"records\[2\] \(loan 'B'\).*days_past_due"):
        ageing_report([BOOK[0], BOOK[1], row], on=ON)
    with pytest.raises(InvalidRecordError, match=r"records\[0\]: loan_id: is missing"):
        ageing_report([{"days_past_due": 0}], on=ON)


def test_bad_fields_in_a_row_name_the_record() -> None:
    """A negative amount in a dict row is reported with its position and id."""
    row = {
        "loan_id": 7,
        "disbursed": date(2026, 1, 1),
        "principal": Money(1),
        "outstanding": Money(-5),
        "days_past_due": 0,
    }
    with pytest.raises(InvalidRecordError, match=r"records\[1\] \(loan 7\): outstanding"):
        overdue_rates([BOOK[0], row], on=ON)


def test_two_currencies_are_refused() -> None:
    """A USD loan in a CNY book is named."""
    usd = LoanRecord(
        loan_id="U",
        disbursed=date(2026, 1, 1),
        principal=Money(1, "USD"),
        outstanding=Money(1, "USD"),
    )
    with pytest.raises(InvalidRecordError, match=r"'U'.*currency"):
        ageing_report([*BOOK, usd], on=ON)


def test_reports_of_different_dates_do_not_merge() -> None:
    """Adding reports of two dates is an error, not a silent mix."""
    a = ageing_report(BOOK, on=ON)
    b = ageing_report(BOOK, on=ON + timedelta(1))
    with pytest.raises(InvalidValueError):
        _ = a + b


def test_reports_of_different_currencies_do_not_merge() -> None:
    """A CNY and a USD report cannot be summed."""
    usd = LoanRecord(
        loan_id="U",
        disbursed=date(2026, 1, 1),
        principal=Money(1, "USD"),
        outstanding=Money(1, "USD"),
    )
    with pytest.raises(CurrencyMismatchError):
        _ = ageing_report(BOOK, on=ON) + ageing_report([usd], on=ON)


# -- properties ------------------------------------------------------------------


@given(loan_books(on=ON), scheme_names)
def test_every_loan_is_in_exactly_one_bucket(book: list[LoanRecord], scheme: str) -> None:
    """Bucket counts and balances add up exactly to the portfolio's."""
    report = ageing_report(book, on=ON, scheme=scheme)  # type: ignore[arg-type]
    assert sum(report.count(label) for label in report.labels) == len(book)
    total = sum((report.outstanding(label) for label in report.labels), Money.zero())
    assert total == sum((r.outstanding for r in book), Money.zero())
    assert total == report.total_outstanding


T = TypeVar("T")


def _split(items: list[T], parts: list[int]) -> list[list[T]]:
    """Deal the items into 3 parts by the drawn labels (some parts may be empty)."""
    out: list[list[T]] = [[], [], []]
    for item, part in zip(items, parts, strict=False):
        out[part].append(item)
    return out


@given(loan_books(on=ON), scheme_names, st.lists(st.integers(0, 2), min_size=15, max_size=15))
def test_merged_ageing_parts_equal_the_whole(
    book: list[LoanRecord], scheme: str, parts: list[int]
) -> None:
    """Any split of the records, aged apart and merged, gives the report of the whole."""
    whole = ageing_report(book, on=ON, scheme=scheme)  # type: ignore[arg-type]
    pieces = [ageing_report(p, on=ON, scheme=scheme) for p in _split(book, parts)]  # type: ignore[arg-type]
    assert pieces[0] + pieces[1] + pieces[2] == whole
    merged: AgeingReport = sum(pieces)  # type: ignore[assignment]
    assert merged == whole


@given(loan_books(on=ON), st.lists(st.integers(0, 2), min_size=15, max_size=15))
def test_merged_overdue_rates_and_fpd_equal_the_whole(
    book: list[LoanRecord], parts: list[int]
) -> None:
    """Overdue rates and FPD merge exactly over any split."""
    pieces = _split(book, parts)
    assert sum(overdue_rates(p, on=ON, over=30) for p in pieces) == overdue_rates(
        book, on=ON, over=30
    )
    assert sum(first_payment_default(p, over=7) for p in pieces) == first_payment_default(
        book, over=7
    )


@given(loan_panels(), st.lists(st.integers(0, 2), min_size=60, max_size=60))
def test_merged_vintage_equals_the_whole_even_splitting_a_loan(
    panel: list[LoanRecord], parts: list[int]
) -> None:
    """Records of one loan may fall in different parts: the merge is still exact."""
    whole = vintage(panel, over=30)
    merged = sum(vintage(p, over=30) for p in _split(panel, parts))
    assert merged == whole
    for cohort in whole.cohorts:
        assert merged.curve(cohort) == whole.curve(cohort)


@given(loan_panels(), st.integers(0, 90))
def test_vintage_never_decreases_with_months_on_book(panel: list[LoanRecord], over: int) -> None:
    """Once bad, always bad: every curve is non-decreasing, by balance and by count."""
    v = vintage(panel, over=over)
    for cohort in v.cohorts:
        for by in ("balance", "count"):
            curve = v.curve(cohort, by=by)
            assert all(a <= b for a, b in itertools.pairwise(curve))


@given(
    loan_books(on=ON, dated=True),
    loan_books(on=ON, dated=True),
    st.lists(st.integers(0, 2), min_size=15, max_size=15),
)
def test_roll_rate_rows_sum_to_the_start_and_merge_exactly(
    first: list[LoanRecord], second: list[LoanRecord], parts: list[int]
) -> None:
    """Every row adds up to its bucket at the start; loans split by id merge exactly."""
    start, end = ON, ON + timedelta(30)
    before = first
    after = [LoanRecord(**{**_fields(r), "on": end}) for r in second]  # type: ignore[arg-type]
    rr = roll_rates(before, after, start=start, end=end)
    at_start = ageing_report([r for r in before if not r.is_closed], on=start)
    for label in rr.from_labels:
        assert sum(rr.count(label, t) for t in rr.to_labels) == at_start.count(label)
        assert sum(
            (rr.balance(label, t) for t in rr.to_labels), Money.zero()
        ) == at_start.outstanding(label)
    ids = _split(list(range(15)), parts)
    pieces = [
        roll_rates(
            [r for r in before if r.loan_id in part],
            [r for r in after if r.loan_id in part],
            start=start,
            end=end,
        )
        for part in ids
    ]
    assert sum(pieces) == rr


def _fields(record: LoanRecord) -> dict[str, object]:
    names = ("loan_id", "disbursed", "principal", "outstanding", "days_past_due")
    return {name: getattr(record, name) for name in names}


# -- plumbing for distributed use --------------------------------------------------


def test_records_and_reports_survive_pickling() -> None:
    """Partial reports travel between processes (a distributed engine pickles them)."""
    import pickle

    report = ageing_report(BOOK, on=ON)
    curves = vintage(_panel(), over=30)
    assert pickle.loads(pickle.dumps(report)) == report
    assert pickle.loads(pickle.dumps(curves)).curve(date(2026, 1, 1)) == curves.curve(
        date(2026, 1, 1)
    )
    again = pickle.loads(pickle.dumps(BOOK[1]))
    assert ageing_report([again], on=ON) == ageing_report([BOOK[1]], on=ON)


def test_a_one_shot_iterator_of_mixed_rows_is_read_once() -> None:
    """A generator mixing dicts and records is consumed once, each row counted once."""

    def rows() -> Iterator[LoanRecord | dict[str, object]]:
        for record in BOOK:
            yield _fields(record) if record.loan_id in ("L2", "L4") else record

    assert ageing_report(rows(), on=ON) == ageing_report(BOOK, on=ON)


def test_an_attribute_error_from_the_input_is_not_swallowed() -> None:
    """A failing generator is an error of the caller's, passed through unchanged."""

    def broken(records: list[LoanRecord]) -> Iterator[LoanRecord | dict[str, object]]:
        yield records[0]
        yield {**_fields(records[1]), "on": records[1].on}
        raise AttributeError("the warehouse cursor broke")

    with pytest.raises(AttributeError, match="cursor"):
        ageing_report(broken(BOOK), on=ON)
    with pytest.raises(AttributeError, match="cursor"):
        vintage(broken(_panel()))


def test_a_serviced_loan_becomes_a_record() -> None:
    """LoanRecord.from_loan reads a loan's position: 1,000 due 31 Jan, unpaid, is 10 days late on 10 Feb."""
    from microloan import Rate
    from microloan.loans import Loan

    loan = Loan.open_ended(
        principal=Money("1000"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 1, 31),
    )
    record = LoanRecord.from_loan("L-1", loan, on=date(2026, 2, 10))
    assert (record.days_past_due, record.outstanding) == (10, Money("1000"))
    assert ageing_report([record], on=date(2026, 2, 10)).count("M1") == 1
    assert classify(loan.position(on=date(2026, 2, 10))) == "M1"


def test_from_loan_names_what_the_loan_lacks() -> None:
    """An object that is not a loan gives a record error naming the loan id."""
    with pytest.raises(InvalidRecordError, match=r"'L-2'.*loan"):
        LoanRecord.from_loan("L-2", object(), on=ON)


def test_vintage_refuses_a_second_currency() -> None:
    """A USD loan in a CNY panel is named, whether first seen or seen again."""
    usd = LoanRecord(
        loan_id="U",
        disbursed=date(2026, 1, 2),
        principal=Money(1, "USD"),
        outstanding=Money(1, "USD"),
        on=ON,
    )
    with pytest.raises(InvalidRecordError, match=r"'U'.*currency"):
        vintage([*_panel(), usd])


def test_ageing_report_ages_loan_and_line_positions() -> None:
    """Positions taken on the report date are aged by their DPD and principal outstanding."""
    from microloan import CreditLine, Loan, PositionLike, Rate, ageing_report

    on = date(2026, 4, 1)
    late = Loan.open_ended(
        principal=Money("5000"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 3, 1),
    )
    current = Loan.open_ended(
        principal=Money("2000"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 3, 1),
        maturity=date(2026, 6, 1),
    )
    line = CreditLine.revolving(
        limit=Money("10000"),
        rate=Rate.daily("0.05%"),
        opened=date(2026, 1, 1),
        expires=date(2026, 12, 31),
    ).draw(Money("3000"), on=date(2026, 2, 1))
    positions: list[PositionLike] = [
        late.position(on=on),
        current.position(on=on),
        line.position(on=on),
    ]
    report = ageing_report(positions, on=on, scheme="m")
    # 31 days past the 1 March maturity is M2; the other two are current (hand count)
    assert report.count("M2") == 1
    assert report.count("M0") == 2
    assert report.outstanding("M0") == Money("5000")
    assert report.total_outstanding == Money("10000")


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("9e17", "is too large for a single loan"), ("-9e17", "must not be negative")],
)
def test_a_record_amount_past_any_loan_is_refused_not_overflowed(amount: str, reason: str) -> None:
    """An amount beyond what a record can tally (9.2e16 fen) is refused by its size, not
    overflowed; 1e999999 is not even an amount (`Money` refuses it: `MAX_AMOUNT`)."""
    with pytest.raises(InvalidValueError, match="beyond the bound of an amount"):
        Money("1e999999")
    with pytest.raises(InvalidRecordError, match=reason):
        LoanRecord(
            loan_id="A",
            disbursed=ON,
            principal=Money(amount),
            outstanding=Money(0),
            days_past_due=0,
        )
