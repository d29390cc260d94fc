"""Fees as data: `microloan.Fee`, fee rows in schedules, fees in the ledger and in the APR."""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microloan
from microloan import (
    CreditLine,
    Fee,
    InsufficientCreditError,
    InvalidTypeError,
    InvalidValueError,
    Loan,
    LoanProduct,
    Money,
    Rate,
    TransactionNotFoundError,
    _ledger,
    bullet,
    equal_installment,
    equal_principal,
    flat,
    from_dict,
    to_dict,
)
from microloan.loans import _apply
from tests.strategies import (
    fee_lists,
    fee_loans,
    per_installment_fees,
    schedule_methods,
    whole_yuan,
)

START = date(2026, 1, 15)
_GENERATORS: dict[str, Any] = {
    "equal_installment": equal_installment,
    "equal_principal": equal_principal,
    "interest_only": microloan.interest_only,
    "flat": flat,
}
_FEW = settings(max_examples=max(10, settings().max_examples // 3))


# -- the value object ------------------------------------------------------------------


def test_named_constructors_build_what_the_constructor_builds() -> None:
    """Each named constructor is `Fee(kind=...)` with its inputs, and its repr is itself."""
    cases = [
        (Fee.upfront(Money("200")), Fee(kind="upfront", amount=Money("200"))),
        (
            Fee.upfront(Money("200"), financed=True),
            Fee(kind="upfront", amount=Money("200"), financed=True),
        ),
        (Fee.per_installment(rate="0.5%"), Fee(kind="per_installment", rate=Decimal("0.005"))),
        (
            Fee.per_installment(amount=Money("15")),
            Fee(kind="per_installment", amount=Money("15")),
        ),
        (Fee.late(Money("30")), Fee(kind="late", amount=Money("30"))),
        (Fee.prepayment("2%"), Fee(kind="prepayment", rate=Decimal("0.02"))),
    ]
    namespace = {"Fee": Fee, "Money": Money, "Decimal": Decimal}
    for named, built in cases:
        assert named == built
        assert hash(named) == hash(built)
        assert eval(repr(named), namespace) == named  # noqa: S307 - our own repr
        assert pickle.loads(pickle.dumps(named)) == named
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            named.kind = "late"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"kind": "monthly", "amount": Money("1")}, "kind"),
        ({"kind": "upfront"}, "amount"),
        ({"kind": "upfront", "rate": "1%"}, "rate"),
        ({"kind": "late", "rate": "1%"}, "rate"),
        ({"kind": "prepayment", "amount": Money("1")}, "amount"),
        ({"kind": "per_installment", "amount": Money("1"), "rate": "1%"}, "rate"),
        ({"kind": "per_installment", "amount": Money("0")}, "amount"),
        ({"kind": "per_installment", "amount": Money("0.001")}, "amount"),
        ({"kind": "per_installment", "rate": "0"}, "rate"),
        ({"kind": "prepayment", "rate": "100%"}, "rate"),
        ({"kind": "late", "amount": Money("5"), "financed": True}, "financed"),
    ],
)
def test_a_fee_that_does_not_fit_its_kind_is_refused_naming_the_field(
    fields: dict[str, Any], named: str
) -> None:
    """A missing, extra or out-of-range input is an InvalidValueError naming its field."""
    with pytest.raises(InvalidValueError, match=f"^{named}: "):
        Fee(**fields)


def test_a_fee_of_the_wrong_type_is_an_invalid_type_error() -> None:
    """An amount that is not Money, a float rate, a financed flag that is not a bool."""
    with pytest.raises(InvalidTypeError, match=r"^amount: "):
        Fee(kind="late", amount=Decimal(30))  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match=r"^rate: "):
        Fee.prepayment(0.02)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match=r"^financed: "):
        Fee(kind="upfront", amount=Money("1"), financed=1)  # type: ignore[arg-type]


def test_fee_kinds_are_declared_once() -> None:
    """`FeeKind` lists the four kinds of the issue."""
    from typing import get_args

    assert get_args(microloan.FeeKind) == ("upfront", "per_installment", "late", "prepayment")


# -- schedules -----------------------------------------------------------------------


def test_a_per_installment_rate_is_charged_on_the_original_principal_every_installment() -> None:
    """0.5% of 10,000 is 50.00 in each of 12 installments, and in each installment's total."""
    plan = equal_installment(
        Money("10000"),
        rate=Rate.annual("6%"),
        term=12,
        start=START,
        fees=[Fee.per_installment(rate="0.5%")],
    )
    assert {i.fee for i in plan} == {Money("50.00")}
    assert all(i.total == i.principal + i.interest + i.fee for i in plan)
    assert plan.total_fees == Money("600.00")
    plain = equal_installment(Money("10000"), rate=Rate.annual("6%"), term=12, start=START)
    assert [i.principal for i in plan] == [i.principal for i in plain]
    assert plan.total == plain.total + Money("600")


def test_a_financed_upfront_fee_is_amortised_and_a_deducted_one_is_not_paid_out() -> None:
    """Financed: principal 10,200, paid out 10,000; deducted: principal 10,000, paid out 9,800."""
    financed = flat(
        Money("10000"),
        rate=Rate.monthly("0.5%"),
        term=12,
        start=START,
        fees=[Fee.upfront(Money("200"), financed=True)],
    )
    deducted = flat(
        Money("10000"),
        rate=Rate.monthly("0.5%"),
        term=12,
        start=START,
        fees=[Fee.upfront(Money("200"))],
    )
    assert (financed.principal, financed.disbursed) == (Money("10200"), Money("10000"))
    assert (deducted.principal, deducted.disbursed) == (Money("10000"), Money("9800"))
    assert financed.cash_flows()[0] == Decimal("-10000.00")
    assert deducted.cash_flows()[0] == Decimal("-9800.00")
    assert financed.upfront_fees == deducted.upfront_fees == Money("200")
    assert financed.total_fees == Money("0")


def test_known_answer_credit_card_installment_fee_apr() -> None:
    """10,000 over 12 months at a 0.6% monthly fee: 893.33 a month, fees 720, APR 13.03%.

    Source: toolcool.cn, "Credit Card Installment Calculator · Monthly Fee → Real APR"
    (https://toolcool.cn/en/t/credit-card-installment/), common scenario "10k · 12mo ·
    0.6%/mo: monthly 893.33, total fee 720, nominal 7.2%, real APR ≈ 13.03%".
    """
    plan = equal_principal(
        Money("10000"),
        rate=Rate.annual("0"),
        term=12,
        start=START,
        fees=[Fee.per_installment(rate="0.6%")],
    )
    assert plan.installments[0].total == Money("893.33")
    assert plan.total_fees == Money("720.00")
    assert round(plan.apr(method="simple") * 100, 2) == Decimal("13.03")


def test_known_answer_24_installments_with_a_7_89_percent_total_fee() -> None:
    """12,000 in 24 installments, total fee 7.89% (946.80): 539.45 a month, APR 7.4001%.

    Source: wodefinance.com, "The handling fee for the 24th installment of ICBC Credit Card
    is 7.89%. What is the annual interest rate?"
    (https://wodefinance.com/Creditcardoverdue/hvutyhpfnl.html): total fee 12000 × 7.89% =
    946.8, monthly repayment (12000 + 946.8) / 24 = 539.45, annual rate
    RATE(24, …) × 12 = 7.4001%.
    """
    plan = equal_principal(
        Money("12000"),
        rate=Rate.annual("0"),
        term=24,
        start=START,
        fees=[Fee.per_installment(amount=Money("39.45"))],  # 946.80 / 24
    )
    assert plan.installments[0].total == Money("539.45")
    assert plan.total_fees == Money("946.80")
    assert round(plan.apr(method="simple") * 100, 4) == Decimal("7.4001")


def test_known_answer_the_pboc_rule_worked_example_with_its_fee() -> None:
    """PBoC [2021] No. 3: 100,000 lent, a 1,000 fee withheld, 12 × 8,833.30: 12.80% / 13.58%.

    The announcement (中国人民银行公告〔2021〕第3号) gives simple 12.80% and compound
    13.58% (as tests/test_cost.py checks on the bare flows). The contract rate is not
    given; 10.8956% a year is the rate whose level installment is the example's 8,833.30
    (the last, 8,833.27, absorbs the roundings).
    """
    plan = equal_installment(
        Money("100000"),
        rate=Rate.annual("10.8956%"),
        term=12,
        start=START,
        fees=[Fee.upfront(Money("1000"))],
    )
    assert plan.installments[0].total == Money("8833.30")
    assert plan.cash_flows()[0] == Decimal("-99000.00")
    assert round(plan.apr(method="simple") * 100, 2) == Decimal("12.80")
    assert round(plan.apr() * 100, 2) == Decimal("13.58")


def test_known_answer_an_origination_fee_deducted_from_the_proceeds() -> None:
    """100,000 at 23% over 12 months, 8,000 deducted: 9,407.63 a month, APR 47.60% compounded.

    Source: "How to calculate effective APR accurately for a loan with fees using Excel"
    (https://z.id.vn/how-to-calculate-effective-apr-accurately-for-a-loan-with-fees-using-excel):
    loan 100,000, origination fee 8,000 deducted (92,000 received), 23% nominal, 12 months,
    monthly payment 9,407.63; Excel =RATE(12, -9407.63, 92000, 0) compounded,
    ((1 + rate)^12 − 1), gives 47.60%.
    """
    plan = equal_installment(
        Money("100000", "USD"),
        rate=Rate.annual("23%"),
        term=12,
        start=START,
        fees=[Fee.upfront(Money("8000", "USD"))],
    )
    assert plan.installments[0].total == Money("9407.63", "USD")
    assert plan.disbursed == Money("92000", "USD")
    assert round(plan.apr() * 100, 2) == Decimal("47.60")


@_FEW
@given(method=schedule_methods, data=st.data())
def test_fee_rows_sum_to_total_fees_and_totals_hold_their_parts(method: str, data: Any) -> None:
    """Σ fee = total_fees; every total = principal + interest + fee; principal parts add up."""
    principal = data.draw(whole_yuan(100, 100_000))
    fees = data.draw(fee_lists(principal))
    plan = _GENERATORS[method](
        principal,
        rate=Rate.annual("12%"),
        term=data.draw(st.integers(1, 24)),
        start=START,
        fees=fees,
    )
    assert sum((i.fee for i in plan), Money("0")) == plan.total_fees
    assert all(i.total == i.principal + i.interest + i.fee for i in plan)
    assert plan.total_principal == plan.principal
    assert plan.total == plan.total_principal + plan.total_interest + plan.total_fees
    assert plan.disbursed == plan.principal - plan.upfront_fees
    assert from_dict(to_dict(plan)) == plan


@_FEW
@given(method=schedule_methods, fee=per_installment_fees, data=st.data())
def test_a_positive_fee_raises_the_apr(method: str, fee: Fee, data: Any) -> None:
    """The APR with a per-installment fee, or an upfront fee, is above the APR without it."""
    principal = data.draw(whole_yuan(1_000, 100_000))
    args = {"rate": Rate.annual("12%"), "term": data.draw(st.integers(2, 24)), "start": START}
    plain = _GENERATORS[method](principal, **args)
    charged = _GENERATORS[method](principal, fees=[fee], **args)
    upfront = _GENERATORS[method](principal, fees=[Fee.upfront(Money("10"))], **args)
    assert charged.apr() > plain.apr()
    assert upfront.apr() > plain.apr()


def test_a_zero_fee_is_left_out_of_documents() -> None:
    """An installment without fees is written as before; one with a fee writes it."""
    plain = bullet(Money("1000"), rate=Rate.annual("12%"), term=1, start=START)
    assert "fee" not in to_dict(plain)["installments"][0]
    assert "fees" not in to_dict(plain)
    charged = bullet(
        Money("1000"),
        rate=Rate.annual("12%"),
        term=1,
        start=START,
        fees=[Fee.per_installment(amount=Money("5"))],
    )
    assert to_dict(charged)["installments"][0]["fee"] == {"amount": "5.00"}
    assert from_dict(to_dict(charged)) == charged


def test_a_schedule_whose_fee_column_disagrees_with_its_fees_is_refused() -> None:
    """Built by hand, a schedule's installment fees must be what its fees charge."""
    plan = bullet(
        Money("1000"),
        rate=Rate.annual("12%"),
        term=1,
        start=START,
        fees=[Fee.per_installment(amount=Money("5"))],
    )
    with pytest.raises(InvalidValueError, match=r"^installments\[0\]\.fee: "):
        attrs.evolve(plan, fees=(Fee.per_installment(amount=Money("6")),))
    with pytest.raises(InvalidValueError, match=r"^fees: "):
        attrs.evolve(plan, fees=(*plan.fees, Fee.upfront(Money("1000"))))


def test_the_schedule_table_shows_the_fee_column_only_when_there_are_fees() -> None:
    """`str()` and `as_rows()` add a fee column to a fee-bearing schedule."""
    args: dict[str, Any] = {"rate": Rate.annual("12%"), "term": 2, "start": START}
    plain = equal_principal(Money("1000"), **args)
    charged = equal_principal(Money("1000"), fees=[Fee.per_installment(amount=Money("5"))], **args)
    assert "Fee" not in str(plain)
    assert "fee" not in plain.as_rows()[0]
    assert "Fee" in str(charged).splitlines()[1]
    assert [r["fee"] for r in charged.as_rows()] == [Decimal("5.00"), Decimal("5.00")]


# -- the ledger ----------------------------------------------------------------------

_CHARGED = [Fee.per_installment(amount=Money("10")), Fee.late(Money("30")), Fee.prepayment("2%")]


def _plan(*fees: Fee) -> microloan.Schedule:
    return equal_principal(Money("1200"), rate=Rate.annual("12%"), term=3, start=START, fees=fees)


def test_an_installment_fee_is_charged_on_its_due_date_and_paid_in_the_allocation_order() -> None:
    """Due on 15 Feb: 400 principal, 12 interest, 10 fee; oldest first pays the fee first."""
    loan = Loan.from_schedule(_plan(*_CHARGED))
    before = loan.position(on=date(2026, 2, 14))
    assert before.fees_outstanding == Money("0")
    assert before.next_due_amount == Money("422.00")
    due = loan.position(on=date(2026, 2, 15)).due
    assert (due.principal, due.interest, due.fees) == (Money("400"), Money("12"), Money("10"))
    paid = loan.repay(Money("422"), on=date(2026, 2, 15))
    repayment = paid.transactions[-1]
    assert [(a.component, a.installment, a.amount) for a in repayment.allocations] == [
        ("fees", 1, Money("10")),
        ("interest", 1, Money("12")),
        ("principal", 1, Money("400")),
    ]
    assert paid.position(on=date(2026, 2, 20)).fees_outstanding == Money("0")


def test_a_late_fee_is_charged_once_per_installment_after_the_grace_days() -> None:
    """Grace 3 days: nothing on 18 Feb, 30 on 19 Feb, still 30 on 14 Mar (once per installment)."""
    loan = Loan.from_schedule(_plan(Fee.late(Money("30"))), grace_days=3)
    assert loan.position(on=date(2026, 2, 18)).fees_outstanding == Money("0")
    assert loan.position(on=date(2026, 2, 19)).fees_outstanding == Money("30")
    assert loan.position(on=date(2026, 3, 14)).fees_outstanding == Money("30")
    assert loan.position(on=date(2026, 3, 19)).fees_outstanding == Money("60")
    on_time = loan.repay(Money("412"), on=date(2026, 2, 18))
    assert on_time.position(on=date(2026, 3, 1)).fees_outstanding == Money("0")


@pytest.mark.parametrize("paid", [Money("820"), Money("819.50")])
def test_a_late_fee_is_charged_only_on_an_installment_unpaid_after_its_grace_days(
    paid: Money,
) -> None:
    """Installment 1 is late; installment 2 is paid (or all but 0.50 of it) before its grace
    ends: only an installment still owing something after its grace days is charged 30."""
    loan = Loan.from_schedule(
        _plan(Fee.late(Money("30"))), grace_days=7, allocation="principal_first"
    )
    # principal first: 400 + 400 principal, then 12 + 8 interest (1 % a month on 1,200 and
    # 800); installment 1's late fee of 23 Feb and its penalty stay owed
    repaid = loan.repay(paid, on=date(2026, 3, 20))
    owing = paid < Money("820")  # installment 2 still owes 0.50 of interest on 23 Mar
    fees = repaid.position(on=date(2026, 3, 25)).fees_outstanding
    assert fees == (Money("60") if owing else Money("30"))
    late_fees = repaid.repay(Money("30"), on=date(2026, 3, 25)).transactions[-1].allocations
    assert {a.installment for a in late_fees if a.component == "fees"} == {1}  # its installment


def test_fees_due_on_one_day_are_paid_in_the_order_they_were_charged() -> None:
    """On 15 Feb the installment's own fee of 10 is charged, then a fee of 5: paid in that order."""
    loan = Loan.from_schedule(_plan(Fee.per_installment(amount=Money("10"))))
    charged = loan.charge_fee(Money("5"), on=date(2026, 2, 15))
    own, other = charged.transactions
    assert (own.kind, own.number, own.on, own.due) == (
        "fee",
        0,
        date(2026, 2, 15),
        date(2026, 2, 15),
    )
    assert (other.number, other.on, other.due) == (1, date(2026, 2, 15), date(2026, 2, 15))
    # 427 = 10 + 5 of fees, 12 of interest, 400 of principal, oldest first
    paid = charged.repay(Money("427"), on=date(2026, 2, 15)).transactions[-1]
    assert [(a.component, a.installment, a.fee) for a in paid.allocations] == [
        ("fees", 1, None),
        ("fees", None, 1),
        ("interest", 1, None),
        ("principal", 1, None),
    ]


@pytest.mark.parametrize(
    ("principal", "rate", "fee", "held"),
    [
        # 412 + 10 on 15 Feb and 408 + 10 on 15 Mar (1 % a month on 1,200 and 800): 60 left
        ("1200", "12%", "10", "900"),
        # at 0 %: 0.40 + 0.01 twice, 0.08 left: amounts under one yuan count as any other
        ("1.20", "0%", "0.01", "0.90"),
    ],
)
def test_installments_that_credit_pays_on_their_due_dates_are_never_past_due(
    principal: str, rate: str, fee: str, held: str
) -> None:
    """Credit held pays each installment and its fee on its due date: no day past due is reached."""
    plan = equal_principal(
        Money(principal),
        rate=Rate.annual(rate),
        term=3,
        start=START,
        fees=[Fee.per_installment(amount=Money(fee))],
    )
    loan = Loan.from_schedule(plan, excess="credit").repay(Money(held), on=START)
    two = plan.installments[0].total + plan.installments[1].total
    for day in (date(2026, 2, 20), date(2026, 3, 20), date(2026, 4, 14)):
        assert loan.position(on=day).max_days_past_due == 0
    assert loan.position(on=date(2026, 4, 14)).credit == Money(held) - two


def test_a_small_loan_charges_and_quotes_the_fee_of_every_installment() -> None:
    """1.20 at 0 % in three: each installment is 0.40 and its fee 0.01, the last one too."""
    plan = equal_principal(
        Money("1.20"),
        rate=Rate.annual("0%"),
        term=3,
        start=START,
        fees=[Fee.per_installment(amount=Money("0.01"))],
    )
    loan = Loan.from_schedule(plan)
    for item in plan.installments:
        before = loan.position(on=item.due_date - timedelta(days=1))
        assert before.next_due_amount == Money("0.41")
        assert loan.position(on=item.due_date).due.fees == Money("0.01")
        loan = loan.repay(Money("0.41"), on=item.due_date)
    assert loan.position(on=plan.installments[-1].due_date).status == "paid_off"


def test_a_loan_paid_off_early_is_charged_no_later_installment_fee() -> None:
    """Paid off on 25 Jan, the loan owes none of the fees of the installments it no longer has."""
    loan = Loan.from_schedule(_plan(Fee.per_installment(amount=Money("10"))))
    paid = loan.repay(loan.payoff_amount(on=date(2026, 1, 25)), on=date(2026, 1, 25))
    after = paid.position(on=date(2026, 4, 20))
    assert (after.status, after.fees_outstanding) == ("paid_off", Money("0"))
    again = paid.charge_fee(Money("5"), on=date(2026, 4, 20))  # the ledger runs on to 20 Apr
    assert again.position(on=date(2026, 4, 20)).fees_outstanding == Money("5")


def test_a_prepayment_fee_is_charged_on_the_principal_prepaid() -> None:
    """300 on 20 Jan: 1.94 interest, then 292.22 principal with its 2% fee of 5.84."""
    loan = Loan.from_schedule(_plan(Fee.prepayment("2%")))
    paid = loan.repay(Money("300"), on=date(2026, 1, 20))
    fee, repayment = paid.transactions
    assert (fee.kind, fee.number, fee.amount) == ("fee", 0, Money("5.84"))
    parts = {(a.component, a.amount) for a in repayment.allocations}
    assert parts == {
        ("interest", Money("1.94")),
        ("fees", Money("5.84")),
        ("principal", Money("292.22")),
    }
    assert Money("292.22") * Decimal("0.02") == Money("5.8444")


@pytest.mark.parametrize(
    ("day", "fee"),
    [
        (date(2026, 1, 25), Money("24.00")),  # 2 % of the 1,200 not yet due
        (date(2026, 3, 1), Money("16.00")),  # installment 1 is late: 2 % of the 800 ahead only
    ],
)
def test_the_payoff_includes_the_prepayment_fee_and_closes_the_loan(day: date, fee: Money) -> None:
    """The payoff amount prepays all principal ahead with its fee; paying it pays the loan off."""
    loan = Loan.from_schedule(_plan(Fee.prepayment("2%")))
    plain = Loan.from_schedule(_plan()).payoff_amount(on=day)
    payoff = loan.payoff_amount(on=day)
    assert payoff == plain + fee
    closed = loan.repay(payoff, on=day)
    assert closed.position(on=day).status == "paid_off"
    assert closed.position(on=day).credit == Money("0")


@pytest.mark.parametrize("day", [date(2026, 1, 25), date(2026, 3, 1)])  # on time; 14 days late
def test_a_write_off_charges_no_prepayment_fee(day: date) -> None:
    """The written-off balance is what is owed, not a payoff quote with a prepayment fee."""
    plain = Loan.from_schedule(_plan()).write_off(on=day).transactions[-1].amount
    charged = Loan.from_schedule(_plan(Fee.prepayment("2%"))).write_off(on=day)
    assert charged.transactions[-1].amount == plain
    assert charged.payoff_amount(on=day) == plain  # written off: no fee on the principal ahead


def test_servicing_fees_are_refused_when_they_belong_to_the_schedule() -> None:
    """`Loan.from_schedule(fees=...)` takes late and prepayment fees, not schedule fees."""
    with pytest.raises(InvalidValueError, match=r"^fees\[0\]: "):
        Loan.from_schedule(_plan(), fees=[Fee.per_installment(amount=Money("1"))])
    loan = Loan.from_schedule(_plan(), fees=[Fee.late(Money("5"))])
    assert loan.schedule.fees == (Fee.late(Money("5")),)


def test_an_automatic_fee_cannot_be_reversed_but_can_be_waived() -> None:
    """A late fee is the loan's own charge: reversing it is refused, waiving it works."""
    loan = Loan.from_schedule(_plan(Fee.late(Money("30")))).repay(Money("1"), on=date(2026, 3, 1))
    automatic = next(t for t in loan.transactions if t.kind == "fee")
    with pytest.raises(TransactionNotFoundError):
        loan.reverse(automatic)
    waived = loan.waive("fees", on=date(2026, 3, 1))
    assert waived.position(on=date(2026, 3, 1)).fees_outstanding == Money("0")


def test_an_open_ended_drawdown_and_a_line_draw_take_fees() -> None:
    """`Loan.open_ended(fees=)` and `CreditLine.draw` (a product's fees by default)."""
    loan = Loan.open_ended(
        principal=Money("1000"),
        rate=Rate.daily("0.05%"),
        start=START,
        maturity=date(2026, 2, 14),
        fees=[Fee.upfront(Money("10")), Fee.late(Money("20"))],
    )
    assert loan.schedule.disbursed == Money("990")
    assert loan.position(on=date(2026, 2, 16)).fees_outstanding == Money("20")
    product = attrs.evolve(LoanProduct.installment_loan(), fees=(Fee.per_installment(rate="0.5%"),))
    line = CreditLine.from_product(product, limit=Money("100000"), opened=START)
    drawn = line.draw(Money("60000"), on=START, term=6)
    assert drawn.drawdowns[0].schedule.installments[0].fee == Money("300.00")
    plain = line.draw(Money("60000"), on=START, term=6, fees=())
    assert plain.drawdowns[0].schedule.total_fees == Money("0")


def test_a_line_s_open_ended_drawdown_takes_the_fees_of_its_draw() -> None:
    """An open-ended draw's own fees, or else its product's, reach its loan: 1,000 less 10 paid out."""
    line = CreditLine.revolving(
        limit=Money("50000"), rate=Rate.daily("0.05%"), opened=START, expires=date(2026, 12, 31)
    )
    drawn = line.draw(
        Money("1000"), on=START, maturity=date(2026, 2, 14), fees=[Fee.upfront(Money("10"))]
    )
    assert drawn.drawdowns[0].schedule.disbursed == Money("990")
    product = attrs.evolve(LoanProduct.order_loan(), fees=(Fee.upfront(Money("10")),))
    ordered = CreditLine.from_product(product, limit=Money("10000"), opened=START)
    assert ordered.draw(Money("1000"), on=START).drawdowns[0].schedule.disbursed == Money("990")


# -- properties of the ledger ---------------------------------------------------------


@st.composite
def _histories(draw: st.DrawFn) -> tuple[Loan, date]:
    loan = draw(fee_loans())
    day = loan.start
    for _ in range(draw(st.integers(0, 6))):
        day += timedelta(days=draw(st.integers(0, 50)))
        action = draw(st.sampled_from(["repay", "repay", "waive", "reverse"]))
        try:
            if action == "repay":
                loan = loan.repay(draw(whole_yuan(1, 20_000)), on=day)
            elif action == "waive":
                loan = loan.waive("fees", on=day)
            else:
                chosen = [t for t in loan.transactions if t.kind == "repayment"]
                if chosen:
                    loan = loan.reverse(draw(st.sampled_from(chosen)))
        except (microloan.MicroloanError, ValueError):
            continue
    return loan, day + timedelta(days=draw(st.integers(0, 200)))


@_FEW
@given(_histories())
def test_every_cent_paid_in_is_allocated_or_held_and_fees_are_conserved(
    history: tuple[Loan, date],
) -> None:
    """Paid in = Σ allocations + excess; fees charged = paid + waived + outstanding."""
    loan, on = history
    ledger = loan._at(on)
    charged = paid = waived = Decimal(0)
    for record in ledger.records:
        if record.kind == "repayment":
            assert sum(a[4] for a in record.allocations) + record.excess == record.amount
        if record.kind == "fee":
            charged += record.amount
        for component, *_, amount in record.allocations:
            if component == "fees":
                if record.kind == "waiver":
                    waived += amount
                else:
                    paid += amount
    assert charged == paid + waived + loan.position(on=on).fees_outstanding.amount


@_FEW
@given(_histories())
def test_a_checkpointed_call_equals_a_full_replay(history: tuple[Loan, date]) -> None:
    """With checkpoints every 2 postings, a position equals one replayed from disbursement."""
    loan, on = history
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_ledger, "EVERY", 2)
        rebuilt = Loan(
            schedule=loan.schedule,
            terms=loan.terms,
            kind=loan.kind,
            postings=loan._postings,
        )
        full = _ledger.Ledger(
            _ledger.Config(schedule=loan.schedule, terms=loan.terms, open_ended=False)
        )
        for posting in sorted(
            (p for p in loan._postings if p.undone is None),
            key=lambda p: (p.on, p.number),
        ):
            _apply(full, posting)
        full.advance(max(on, full.time))
        day = max(on, full.time)
        assert rebuilt.position(on=day) == loan.position(on=day)
        snap, mine = full.snapshot(day), rebuilt._at(day).snapshot(day)
        assert {n: getattr(snap, n) for n in snap.__slots__} == {
            n: getattr(mine, n) for n in mine.__slots__
        }


@_FEW
@given(loan=fee_loans(), data=st.data())
def test_reversing_a_repayment_equals_never_having_posted_it(loan: Loan, data: Any) -> None:
    """A repayment and its reversal leave every position as it was, automatic fees included."""
    day = loan.start + timedelta(days=data.draw(st.integers(0, 120)))
    try:
        paid = loan.repay(data.draw(whole_yuan(1, 20_000)), on=day)
    except microloan.MicroloanError:
        return
    repayment = next(t for t in paid.transactions if t.kind == "repayment")
    undone = paid.reverse(repayment)
    later = day + timedelta(days=data.draw(st.integers(0, 200)))
    assert undone.position(on=later) == loan.position(on=later)


def test_a_fee_bearing_loan_survives_a_document_round_trip() -> None:
    """The schedule keeps every fee, so a loan read back charges what the original charged."""
    loan = Loan.from_schedule(_plan(*_CHARGED), grace_days=2)
    loan = loan.repay(Money("300"), on=date(2026, 1, 20)).repay(Money("100"), on=date(2026, 3, 1))
    again = from_dict(to_dict(loan))
    assert again == loan
    day = date(2026, 5, 1)
    assert again.position(on=day) == loan.position(on=day)
    assert again.transactions == loan.transactions


@_FEW
@given(_histories())
def test_the_books_of_a_fee_bearing_loan_balance_and_hold_its_fees(
    history: tuple[Loan, date],
) -> None:
    """The journal balances; fees receivable (on and off balance) are the fees outstanding."""
    loan, until = history
    chart = microloan.ChartOfAccounts()
    entries = loan.journal(until=until)
    for on in sorted({until, loan.start, *(t.on for t in loan.transactions if t.on <= until)}):
        tb = microloan.trial_balance(entries, on=on)
        assert tb.balanced
        p = loan.position(on=on)
        if p.status == "written_off":
            continue
        assert tb.balance(chart.loans_receivable) == p.principal_outstanding
        owed = p.interest_accrued + p.penalty_outstanding + p.fees_outstanding
        books = (
            tb.balance(chart.interest_receivable)
            + tb.balance(chart.penalty_receivable)
            + tb.balance(chart.fees_receivable)
            + tb.balance(chart.off_balance_interest)
        )
        assert books == owed


@pytest.mark.parametrize("financed", [False, True])
def test_an_upfront_fee_is_income_at_disbursement_and_only_the_rest_is_paid_out(
    financed: bool,
) -> None:
    """The books pay out `disbursed` in cash and take the upfront fee to fee income."""
    # Apache Fineract books a disbursement charge as income when the loan is disbursed
    # (AccrualBasedAccountingProcessorForLoan.createJournalEntriesForDisbursements: debit
    # the loan portfolio, credit the fund source with what is paid out and income from fees
    # with the charge). 1,000 asked for with a 20 fee: 980 paid out when the fee is kept
    # back, 1,000 paid out on a principal of 1,020 when it is financed.
    fee = Fee.upfront(Money("20"), financed=financed)
    plan = bullet(
        Money("1000"), rate=Rate.annual("12%"), term=1, start=date(2026, 1, 15), fees=[fee]
    )
    entries = Loan.from_schedule(plan).journal(until=date(2026, 1, 15))
    tb = microloan.trial_balance(entries, on=date(2026, 1, 15))
    chart = microloan.ChartOfAccounts()
    assert tb.balanced
    assert tb.balance(chart.cash) == -Money("1000" if financed else "980")
    assert tb.balance(chart.fee_income) == Money("20")  # income: its credit balance
    assert tb.balance(chart.loans_receivable) == Money("1020" if financed else "1000")


def test_a_financed_fee_on_a_line_draw_uses_the_limit_like_the_principal_it_is() -> None:
    """10,000 limit: 9,900 + a financed 200 fee is 10,100 of principal, more than the limit."""
    line = CreditLine.revolving(
        limit=Money("10000"),
        rate=Rate.annual("18%"),
        opened=date(2026, 1, 1),
        expires=date(2026, 12, 31),
    )
    financed = [Fee.upfront(Money("200"), financed=True)]
    with pytest.raises(InsufficientCreditError, match=r"\(10,100\.00 CNY with its financed fees\)"):
        line.draw(
            Money("9900"), on=date(2026, 1, 2), method="equal_installment", term=6, fees=financed
        )
    drawn = line.draw(
        Money("9800"), on=date(2026, 1, 2), method="equal_installment", term=6, fees=financed
    )
    assert drawn.available(on=date(2026, 1, 2)) == Money("0")
    deducted = [Fee.upfront(Money("200"))]  # kept back from the 10,000 paid out: all of the limit
    kept = line.draw(
        Money("10000"), on=date(2026, 1, 2), method="equal_installment", term=6, fees=deducted
    )
    assert kept.drawdown(0).schedule.disbursed == Money("9800")
