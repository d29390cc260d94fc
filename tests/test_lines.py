"""Credit lines: available credit, draws, repayments through the line, refusals, status."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microloan import (
    ChartOfAccounts,
    CreditLine,
    CurrencyMismatchError,
    DrawdownNotFoundError,
    InsufficientCreditError,
    InvalidTypeError,
    InvalidValueError,
    JournalEntry,
    LineAlreadyDrawnError,
    LineClosedError,
    LineError,
    LineExpiredError,
    LineFrozenError,
    LineNotYetValidError,
    Loan,
    LoanProduct,
    MicroloanError,
    Money,
    ProductViolationError,
    Rate,
    from_json,
    to_json,
)
from tests.strategies import line_day_offsets, revolving_histories

OPENED = date(2026, 1, 1)
EXPIRES = date(2026, 12, 31)
DAILY = Rate.daily("0.05%")


def revolving(
    limit: str = "50000", *, rate: Rate = DAILY, use_by: date | None = None
) -> CreditLine:
    return CreditLine.revolving(
        limit=Money(limit), rate=rate, opened=OPENED, expires=EXPIRES, use_by=use_by
    )


def fixed(limit: str = "60000") -> CreditLine:
    return CreditLine.fixed(
        limit=Money(limit), rate=Rate.annual("21%"), opened=OPENED, expires=EXPIRES
    )


# -- properties -------------------------------------------------------------------


@given(revolving_histories())
def test_available_is_never_negative_nor_above_the_limit(history: tuple[CreditLine, date]) -> None:
    """Whatever was drawn, repaid or cut, 0 <= available <= limit on any date."""
    line, on = history
    available = line.available(on=on)
    assert Money.zero() <= available <= line.limit
    assert line.position(on=on).available == available


@given(revolving_histories())
def test_line_sums_equal_the_sums_of_its_drawdowns(history: tuple[CreditLine, date]) -> None:
    """The line's outstanding principal, interest and payoff are its drawdowns' sums."""
    line, on = history
    position = line.position(on=on)
    loans = [loan.position(on=on) for loan in line.drawdowns if loan.start <= on]
    zero = Money.zero()
    assert position.principal_outstanding == sum((p.principal_outstanding for p in loans), zero)
    assert position.interest_accrued == sum((p.interest_accrued for p in loans), zero)
    assert position.payoff_amount == sum((p.payoff_amount for p in loans), zero)
    assert position.days_past_due == max((p.days_past_due for p in loans), default=0)


@given(revolving_histories(), st.integers(1, 10**8))
def test_draw_then_repay_principal_same_day_restores_availability(
    history: tuple[CreditLine, date], units: int
) -> None:
    """On a revolving line, drawing X and repaying X the same day leaves available unchanged."""
    line, _ = history
    on = line.as_of
    before = line.available(on=on)
    if before.amount == 0:
        return
    amount = Money.from_minor_units(min(units, before.minor_units))
    drawn = line.draw(amount, on=on, maturity=on + timedelta(days=30))
    assert drawn.available(on=on) == before - amount
    repaid = drawn.repay(amount, on=on, drawdown=-1)
    assert repaid.available(on=on) == before
    assert repaid.drawdowns[-1].position(on=on).status == "paid_off"


@given(revolving_histories(), st.integers(1, 10**8))
def test_a_repayment_is_never_lost(history: tuple[CreditLine, date], units: int) -> None:
    """Paying the line lowers what is owed by exactly the amount, less what is held as credit."""
    line, on = history
    if not any(loan.start <= on for loan in line.drawdowns):
        return
    amount = Money.from_minor_units(units)
    before = line.position(on=on)
    after = line.repay(amount, on=on).position(on=on)
    assert before.payoff_amount - after.payoff_amount + (after.credit - before.credit) == amount


@given(st.integers(0, 150), st.integers(0, 150), st.integers(1, 60000_00))
def test_a_fixed_line_can_never_be_drawn_twice(first: int, later: int, units: int) -> None:
    """After its one drawdown a fixed line has nothing available and refuses any draw."""
    line = fixed().draw(
        Money("60000"), on=OPENED + timedelta(days=first), term=6, method="equal_installment"
    )
    day = OPENED + timedelta(days=first + later)
    assert line.available(on=day) == Money.zero()
    with pytest.raises(LineAlreadyDrawnError):
        line.draw(Money.from_minor_units(units), on=day, method="equal_installment", term=6)


@given(st.integers(0, 400), st.sampled_from(["frozen", "expired"]), st.integers(1, 100_00))
def test_frozen_or_expired_line_refuses_draws_and_its_loans_keep_running(
    offset: int, how: str, units: int
) -> None:
    """Frozen or past its end, a line refuses draws; its drawdown accrues and takes payments as before."""
    line = revolving().draw(Money("10000"), on=date(2026, 12, 1), maturity=date(2027, 3, 1))
    day = date(2027, 1, 1) + timedelta(days=offset)
    if how == "frozen":
        line = line.freeze(on=date(2026, 12, 15))
        error: type[LineError] = LineFrozenError
    else:
        error = LineExpiredError
    with pytest.raises(error):
        line.draw(Money.from_minor_units(units), on=day, maturity=day + timedelta(days=10))
    assert line.available(on=day) == Money.zero()
    alone = Loan.open_ended(
        principal=Money("10000"), rate=DAILY, start=date(2026, 12, 1), maturity=date(2027, 3, 1)
    )
    assert line.drawdowns[0].position(on=day) == alone.position(on=day)
    paid = line.repay(Money.from_minor_units(units), on=day)
    assert paid.drawdowns[0].position(on=day) == alone.repay(
        Money.from_minor_units(units), on=day
    ).position(on=day)


@given(line_day_offsets, st.sampled_from(["revolving", "fixed"]))
def test_an_untouched_line_accrues_no_interest(offset: int, kind: str) -> None:
    """A line with nothing drawn owes nothing on any date: no interest on undrawn credit."""
    line = revolving() if kind == "revolving" else fixed()
    position = line.position(on=OPENED + timedelta(days=offset))
    assert position.interest_accrued == Money.zero()
    assert position.outstanding == Money.zero()
    assert position.payoff_amount == Money.zero()


# -- known answers -----------------------------------------------------------------


def test_daily_interest_drawdown_repaid_early_pays_for_the_days_used() -> None:
    """10,000 at 0.05% a day for 10 days costs 50 (by hand: 10,000 × 0.0005 × 10)."""
    line = revolving().draw(Money("10000"), on=date(2026, 2, 1), maturity=date(2026, 5, 1))
    assert line.position(on=date(2026, 2, 11)).payoff_amount == Money("10050.00")
    line = line.repay(Money("10050"), on=date(2026, 2, 11))
    assert line.available(on=date(2026, 2, 11)) == Money("50000.00")


def test_a_merchant_pays_467_40_for_123_days_used() -> None:
    """The platform's average merchant: 7,600 for 123 days at 0.05% a day = 467.40 (by hand)."""
    line = revolving().draw(Money("7600"), on=date(2026, 1, 15), maturity=date(2026, 7, 15))
    assert line.position(on=date(2026, 5, 18)).interest_accrued == Money("467.40")


def test_order_loan_of_10000_for_30_days_costs_150() -> None:
    """Order loan at 0.05% a day: 10,000 × 0.0005 × 30 = 150 (the published daily rate, by hand)."""
    line = CreditLine.from_product(
        LoanProduct.order_loan(), limit=Money("10000"), opened=date(2026, 3, 1)
    )
    line = line.draw(Money("10000"), on=date(2026, 3, 1))
    loan = line.drawdowns[0]
    assert loan.maturity == date(2026, 3, 31)
    assert loan.schedule.total_interest == Money("150.00")
    line, rest = line.settle(Money("15000"), on=date(2026, 3, 31))
    assert rest == Money("4850.00")
    assert line.position(on=date(2026, 3, 31)).payoff_amount == Money("0.00")


def test_settlement_smaller_than_the_loan_pays_what_it_can() -> None:
    """Proceeds below what is owed all go to the loan and nothing is left for the merchant."""
    line = CreditLine.from_product(
        LoanProduct.order_loan(), limit=Money("10000"), opened=date(2026, 3, 1)
    )
    line = line.draw(Money("10000"), on=date(2026, 3, 1))
    line, rest = line.settle(Money("4000"), on=date(2026, 3, 11))
    assert rest == Money("0.00")
    # 10 days at 0.05%: 50 interest, so 3,950 of principal is repaid
    assert line.position(on=date(2026, 3, 11)).principal_outstanding == Money("6050.00")


def test_default_repayment_pays_due_amounts_before_prepaying() -> None:
    """Without a named drawdown, what is due on any drawdown is paid before anything is prepaid."""
    line = revolving("100000", rate=Rate.annual("12%"))
    line = line.draw(Money("30000"), on=date(2026, 1, 1), maturity=date(2026, 6, 1))
    line = line.draw(Money("12000"), on=date(2026, 1, 10), method="equal_installment", term=12)
    due = line.drawdowns[1].position(on=date(2026, 2, 10)).due.total
    # 12,000 at 1% a month over 12 months: installment 1,066.19 (annuity formula by hand)
    assert due == Money("1066.19")
    line = line.repay(Money("1066.19"), on=date(2026, 2, 10))
    assert line.drawdowns[1].position(on=date(2026, 2, 10)).due.total == Money("0.00")
    assert line.drawdowns[0].position(on=date(2026, 2, 10)).principal_outstanding == Money(
        "30000.00"
    )


def test_excess_beyond_everything_owed_is_held_as_line_credit() -> None:
    """Money beyond every drawdown's payoff is kept on the line as credit, never lost."""
    line = revolving().draw(Money("1000"), on=date(2026, 1, 1), maturity=date(2026, 2, 1))
    line = line.repay(Money("1500"), on=date(2026, 1, 1))
    assert line.credit == Money("500.00")
    assert line.position(on=date(2026, 1, 1)).credit == Money("500.00")


def test_a_named_drawdown_takes_the_whole_payment() -> None:
    """repay(drawdown=i) or with the loan itself pays that drawdown only."""
    line = revolving()
    line = line.draw(Money("1000"), on=date(2026, 1, 1), maturity=date(2026, 2, 1))
    line = line.draw(Money("2000"), on=date(2026, 1, 1), maturity=date(2026, 2, 1))
    by_index = line.repay(Money("2000"), on=date(2026, 1, 1), drawdown=1)
    by_loan = line.repay(Money("2000"), on=date(2026, 1, 1), drawdown=line.drawdowns[1])
    assert by_index == by_loan
    assert by_index.drawdowns[0] == line.drawdowns[0]
    assert by_index.drawdowns[1].position(on=date(2026, 1, 1)).status == "paid_off"


def test_limit_cut_below_outstanding_blocks_draws_but_calls_nothing_due() -> None:
    """A cut below what is drawn leaves available at zero and the drawdown's plan untouched."""
    line = revolving().draw(Money("40000"), on=date(2026, 1, 5), maturity=date(2026, 6, 5))
    cut = line.with_limit(Money("30000"), on=date(2026, 2, 1))
    assert cut.available(on=date(2026, 2, 1)) == Money.zero()
    assert cut.drawdowns == line.drawdowns
    with pytest.raises(InsufficientCreditError):
        cut.draw(Money("1"), on=date(2026, 2, 1), maturity=date(2026, 3, 1))
    repaid = cut.repay(Money("15000"), on=date(2026, 2, 1), drawdown=0)
    # 27 days × 20/day = 540 interest first, then 14,460 principal: 25,540 left
    assert repaid.available(on=date(2026, 2, 1)) == Money("4460.00")
    raised = line.with_limit(Money("80000"), on=date(2026, 2, 1))
    assert raised.available(on=date(2026, 2, 1)) == Money("40000.00")


def test_approval_lapses_when_nothing_is_drawn_by_use_by() -> None:
    """授信有效期: nothing drawn by use_by means expired; a draw in time keeps the line alive."""
    line = revolving(use_by=date(2026, 1, 31))
    assert line.status_on(on=date(2026, 2, 1)) == "expired"
    with pytest.raises(LineExpiredError, match="approval lapsed"):
        line.draw(Money("100"), on=date(2026, 2, 1), maturity=date(2026, 3, 1))
    used = line.draw(Money("100"), on=date(2026, 1, 31), maturity=date(2026, 3, 1))
    assert used.status_on(on=date(2026, 2, 1)) == "active"
    assert used.status_on(on=date(2027, 1, 1)) == "expired"


def test_from_product_takes_the_products_terms() -> None:
    """A line from a product gets its kind, rate, 30-day validity and 12-month length."""
    line = CreditLine.from_product(
        LoanProduct.revolving_credit(), limit=Money("200000"), opened=date(2026, 1, 31)
    )
    assert (line.kind, line.rate, line.use_by, line.expires) == (
        "revolving",
        Rate.annual("21%"),
        date(2026, 3, 2),
        date(2027, 1, 30),
    )
    drawn = line.draw(Money("5000"), on=date(2026, 2, 1))
    assert drawn.drawdowns[0].maturity == date(2026, 7, 31)  # 180 days


def test_line_round_trips_through_json_and_pickle() -> None:
    """A line with drawdowns and repayments is written and read back equal."""
    line = revolving().draw(Money("1000"), on=date(2026, 1, 2), maturity=date(2026, 2, 2))
    line = line.repay(Money("300"), on=date(2026, 1, 12)).freeze(on=date(2026, 1, 20))
    assert from_json(to_json(line)) == line
    assert pickle.loads(pickle.dumps(line)) == line
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        line.limit = Money("1")  # type: ignore[misc]


# -- refusals: a specific error, and the line unchanged ------------------------------


def _refused(line: CreditLine, error: type[Exception], action: object) -> None:
    before = to_json(line)
    with pytest.raises(error) as caught:
        action()  # type: ignore[operator]
    assert isinstance(caught.value, MicroloanError)
    assert to_json(line) == before


def test_every_refusal_is_specific_and_leaves_the_line_unchanged() -> None:
    """Each refused operation raises its own MicroloanError subclass (also a ValueError or LookupError)."""
    line = revolving("10000").draw(Money("4000"), on=date(2026, 1, 10), maturity=date(2026, 3, 1))
    day = date(2026, 2, 1)
    later = date(2026, 3, 1)
    cases: list[tuple[CreditLine, type[Exception], object]] = [
        (
            line,
            InsufficientCreditError,
            lambda: line.draw(Money("6000.01"), on=day, maturity=later),
        ),
        (
            line.freeze(on=day),
            LineFrozenError,
            lambda: line.freeze(on=day).draw(Money("1"), on=day, maturity=later),
        ),
        (
            line.close(on=day),
            LineClosedError,
            lambda: line.close(on=day).draw(Money("1"), on=day, maturity=later),
        ),
        (
            line,
            LineExpiredError,
            lambda: line.draw(Money("1"), on=date(2027, 1, 1), maturity=date(2027, 2, 1)),
        ),
        (line.freeze(on=day), LineFrozenError, lambda: line.freeze(on=day).freeze(on=day)),
        (line.close(on=day), LineClosedError, lambda: line.close(on=day).close(on=day)),
        (line.close(on=day), LineClosedError, lambda: line.close(on=day).freeze(on=day)),
        (
            line.close(on=day),
            LineClosedError,
            lambda: line.close(on=day).with_limit(Money("1"), on=day),
        ),
        (line, InvalidValueError, lambda: line.unfreeze(on=day)),
        (
            line,
            InvalidValueError,
            lambda: line.draw(Money("1"), on=date(2026, 1, 9), maturity=later),
        ),
        (line, InvalidValueError, lambda: line.draw(Money("1"), on=EXPIRES)),  # no maturity left
        (line, InvalidValueError, lambda: line.draw(Money("0"), on=day, maturity=later)),
        (line, InvalidValueError, lambda: line.draw(Money("1.001"), on=day, maturity=later)),
        (line, CurrencyMismatchError, lambda: line.draw(Money("1", "USD"), on=day, maturity=later)),
        (line, DrawdownNotFoundError, lambda: line.repay(Money("1"), on=day, drawdown=1)),
        (line, InvalidValueError, lambda: line.repay(Money("1"), on=date(2026, 1, 9))),
    ]
    for subject, error, action in cases:
        _refused(subject, error, action)
    stale = line.drawdowns[0]
    moved = line.repay(Money("1"), on=day, drawdown=stale)
    _refused(moved, DrawdownNotFoundError, lambda: moved.repay(Money("1"), on=day, drawdown=stale))


def test_a_draw_before_the_line_opens_is_not_yet_valid() -> None:
    """A draw dated before `opened` raises LineNotYetValidError; nothing is available then."""
    line = CreditLine.revolving(
        limit=Money("1000"), rate=DAILY, opened=date(2026, 6, 1), expires=EXPIRES
    )
    _refused(
        line,
        LineNotYetValidError,
        lambda: line.draw(Money("1"), on=date(2026, 5, 31), maturity=date(2026, 7, 1)),
    )
    assert line.available(on=date(2026, 5, 31)) == Money.zero()


def test_product_bounds_are_all_named_when_a_draw_breaks_them() -> None:
    """A draw breaking several product bounds lists every violation in one error."""
    line = CreditLine.from_product(
        LoanProduct.installment_loan(), limit=Money("100000"), opened=OPENED
    )
    with pytest.raises(ProductViolationError) as caught:
        line.draw(Money("100000"), on=OPENED, method="flat", term=24)
    assert len(caught.value.violations) == 2
    assert "method: 'flat'" in str(caught.value)
    assert "term: 24" in str(caught.value)
    with pytest.raises(ProductViolationError, match="limit: "):
        CreditLine.from_product(LoanProduct.installment_loan(), limit=Money("100"), opened=OPENED)


def test_construction_refuses_inconsistent_lines() -> None:
    """Dates out of order and a fixed line with two drawdowns are refused on construction."""
    with pytest.raises(InvalidValueError, match="expires"):
        CreditLine.revolving(limit=Money("1"), rate=DAILY, opened=EXPIRES, expires=OPENED)
    with pytest.raises(InvalidValueError, match="use_by"):
        revolving(use_by=date(2027, 1, 1))
    with pytest.raises(InvalidValueError, match="limit"):
        revolving("-5")
    loan = Loan.open_ended(principal=Money("1"), rate=DAILY, start=OPENED, maturity=EXPIRES)
    with pytest.raises(InvalidValueError, match="more than one"):
        attrs.evolve(fixed(), drawdowns=(loan, loan))


def test_interest_consumes_the_limit_only_when_the_product_says_so() -> None:
    """By default only principal uses the limit; with interest_consumes_limit, interest does too."""
    base = LoanProduct.revolving_credit()
    product = attrs.evolve(base, interest_consumes_limit=True)
    for chosen, expected in ((base, Money("40000.00")), (product, Money("39820.00"))):
        line = CreditLine.revolving(
            limit=Money("100000"), rate=DAILY, opened=OPENED, expires=EXPIRES, product=chosen
        )
        line = line.draw(Money("60000"), on=OPENED)
        # 60,000 × 0.05% = 30 a day (by hand): 150 after 5 days, 180 after 6
        assert line.position(on=date(2026, 1, 6)).interest_accrued == Money("150.00")
        assert line.available(on=date(2026, 1, 7)) == expected


def test_a_line_past_its_end_refuses_draws_even_after_use() -> None:
    """After `expires` a used line is expired too: draws refused, LineExpiredError."""
    line = revolving().draw(Money("100"), on=OPENED, maturity=date(2026, 2, 1))
    assert line.status_on(on=date(2027, 1, 1)) == "expired"
    _refused(
        line,
        LineExpiredError,
        lambda: line.draw(Money("1"), on=date(2027, 1, 1), maturity=date(2027, 2, 1)),
    )


def test_a_plain_draw_without_a_product_runs_to_the_line_end() -> None:
    """line.draw(amount, on=...) alone: an open-ended drawdown due on the line's expiry date."""
    line = CreditLine.revolving(
        limit=Money("100000"),
        rate=Rate.daily("0.05%"),
        opened=date(2026, 1, 1),
        expires=date(2026, 12, 31),
    )
    drawn = line.draw(Money("30000"), on=date(2026, 2, 1))
    assert drawn.drawdowns[0].maturity == date(2026, 12, 31)
    assert drawn.available(on=date(2026, 2, 1)) == Money("70000")


def test_a_fixed_line_takes_exactly_the_arguments_of_a_revolving_one() -> None:
    """`CreditLine.fixed` names a missing or unknown argument instead of ignoring it."""
    rate, opened, expires = Rate.annual("21%"), date(2026, 1, 1), date(2026, 6, 30)
    with pytest.raises(InvalidTypeError, match="limit: is missing"):
        CreditLine.fixed(rate=rate, opened=opened, expires=expires)  # type: ignore[call-arg]
    with pytest.raises(InvalidTypeError, match="grace: is not an argument"):
        CreditLine.fixed(  # type: ignore[call-arg]
            limit=Money("1000"), rate=rate, opened=opened, expires=expires, grace=3
        )
    line = CreditLine.fixed(limit=Money("1000"), rate=rate, opened=opened, expires=expires)
    assert (line.kind, line.use_by) == ("fixed", date(2026, 6, 30))


# -- every refusal of a line is its specific error, word for word ----------------------


def _line(**changes: Any) -> CreditLine:
    base: dict[str, Any] = {
        "limit": Money("50000"),
        "rate": Rate.daily("0.05%"),
        "opened": date(2026, 1, 1),
        "expires": date(2026, 12, 31),
    }
    return CreditLine.revolving(**{**base, **changes})


_LINE = _line()
_DRAWN = _LINE.draw(Money("10000"), on=date(2026, 1, 10), maturity=date(2026, 4, 10))


def _draw_with(**options: Any) -> CreditLine:
    """A small drawdown on the plain line, with `options` passed to `draw`."""
    return _LINE.draw(Money("5"), on=date(2026, 1, 10), maturity=date(2026, 4, 10), **options)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        pytest.param(
            lambda: _line(limit="5"),
            InvalidTypeError,
            "limit: '5' is a str; expected Money",
            id="limit str",
        ),
        pytest.param(
            lambda: _line(limit=Money("0")),
            InvalidValueError,
            "limit: Money('0', 'CNY') must be a positive amount in whole minor units",
            id="limit zero",
        ),
        pytest.param(
            lambda: _line(limit=Money("0.001")),
            InvalidValueError,
            "limit: Money('0.001', 'CNY') must be a positive amount in whole minor units",
            id="limit fraction",
        ),
        pytest.param(
            lambda: _line(rate="18%"),
            InvalidTypeError,
            "rate: '18%' is a str; expected a Rate, e.g. Rate.annual('18%')",
            id="rate str",
        ),
        pytest.param(
            lambda: _line(expires=date(2025, 1, 1)),
            InvalidValueError,
            "expires: datetime.date(2025, 1, 1) is before opened 2026-01-01",
            id="expires before",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("60000"), on=date(2026, 1, 10), maturity=date(2026, 4, 10)),
            InsufficientCreditError,
            "amount: 60,000.00 CNY is more than the 50,000.00 CNY available on 2026-01-10 (limit 50,000 CNY)",
            id="draw more",
        ),
        pytest.param(
            lambda: _LINE.draw("5", on=date(2026, 1, 10), maturity=date(2026, 4, 10)),  # type: ignore[arg-type]
            InvalidTypeError,
            "amount: '5' is a str; expected Money",
            id="draw str",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("0"), on=date(2026, 1, 10), maturity=date(2026, 4, 10)),
            InvalidValueError,
            "amount: Money('0', 'CNY') must be a positive amount in whole minor units",
            id="draw zero",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5", "USD"), on=date(2026, 1, 10), maturity=date(2026, 4, 10)),
            CurrencyMismatchError,
            "currency: amount Money('5', 'USD') is in USD; the line is in CNY",
            id="draw usd",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5"), on=date(2025, 12, 1), maturity=date(2026, 4, 10)),
            LineNotYetValidError,
            "on: 2025-12-01 is before the line opens on 2026-01-01",
            id="draw before",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5"), on=date(2027, 1, 10), maturity=date(2027, 4, 10)),
            LineExpiredError,
            "on: 2027-01-10 is after the line expired on 2026-12-31",
            id="draw after expiry",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5"), on=date(2026, 1, 10), term=3),
            InvalidValueError,
            "term: 3 does not apply to an open-ended drawdown; pass maturity=",
            id="draw term open",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5"), on=date(2026, 1, 10), maturity=date(2026, 1, 5)),
            InvalidValueError,
            "maturity: datetime.date(2026, 1, 5) must be after the drawdown date 2026-01-10",
            id="draw maturity before",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5"), on=date(2026, 1, 10), method="equal_installment"),
            InvalidValueError,
            "term: None is needed for a drawdown repaid by equal_installment",
            id="draw no term",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5"), on=date(2026, 1, 10), method="weekly"),  # type: ignore[arg-type]
            InvalidValueError,
            "method: 'weekly' is not one of ['open_ended', 'bullet', 'equal_installment', 'equal_principal', 'flat', 'interest_only']",
            id="draw bad method",
        ),
        pytest.param(
            lambda: _DRAWN.repay(Money("5"), on=date(2026, 1, 5)),
            InvalidValueError,
            "on: datetime.date(2026, 1, 5) is before any drawdown of this line; nothing to repay",
            id="repay before",
        ),
        pytest.param(
            lambda: _LINE.freeze(on=date(2026, 2, 1)).freeze(on=date(2026, 2, 2)),
            LineFrozenError,
            "status: the line is frozen already on 2026-02-02",
            id="freeze twice",
        ),
        pytest.param(
            lambda: _LINE.unfreeze(on=date(2026, 2, 1)),
            InvalidValueError,
            "status: 'active' is not frozen; there is nothing to unfreeze",
            id="unfreeze active",
        ),
        pytest.param(
            lambda: _LINE.close(on=date(2026, 2, 1)).close(on=date(2026, 2, 2)),
            LineClosedError,
            "status: the line is closed already on 2026-02-02",
            id="close twice",
        ),
        pytest.param(
            lambda: _LINE.close(on=date(2026, 2, 1)).freeze(on=date(2026, 2, 2)),
            LineClosedError,
            "status: the line is closed; it cannot be frozen on 2026-02-02",
            id="freeze closed",
        ),
        pytest.param(
            lambda: _LINE.close(on=date(2026, 2, 1)).unfreeze(on=date(2026, 2, 2)),
            LineClosedError,
            "status: the line is closed; it cannot be unfrozen on 2026-02-02",
            id="unfreeze closed",
        ),
        pytest.param(
            lambda: _LINE.close(on=date(2026, 2, 1)).with_limit(Money("1000"), on=date(2026, 2, 2)),
            LineClosedError,
            "limit: Money('1000', 'CNY') cannot be set on 2026-02-02: the line is closed",
            id="limit closed",
        ),
        pytest.param(
            lambda: _LINE.freeze(on=date(2026, 2, 1)).draw(
                Money("5"), on=date(2026, 2, 2), maturity=date(2026, 3, 1)
            ),
            LineFrozenError,
            "on: 2026-02-02: the line is frozen; no draws until unfrozen",
            id="draw frozen",
        ),
        pytest.param(
            lambda: _LINE.close(on=date(2026, 2, 1)).draw(
                Money("5"), on=date(2026, 2, 2), maturity=date(2026, 3, 1)
            ),
            LineClosedError,
            "on: 2026-02-02 is after the line was closed; no draws",
            id="draw closed",
        ),
        pytest.param(
            lambda: _DRAWN.drawdown(5),
            DrawdownNotFoundError,
            "drawdown: 5 is not an index of this line's 1 drawdowns",
            id="drawdown index",
        ),
        pytest.param(
            lambda: _DRAWN.drawdown("x"),  # type: ignore[arg-type]
            InvalidTypeError,
            "drawdown: 'x' is a str; expected an int index or a Loan",
            id="drawdown str",
        ),
        pytest.param(
            lambda: (
                CreditLine.fixed(
                    limit=Money("50000"),
                    rate=Rate.daily("0.05%"),
                    opened=date(2026, 1, 1),
                    expires=date(2026, 12, 31),
                )
                .draw(Money("5"), on=date(2026, 1, 10), maturity=date(2026, 4, 10))
                .draw(Money("5"), on=date(2026, 1, 11), maturity=date(2026, 4, 10))
            ),
            LineAlreadyDrawnError,
            "amount: 5.00 CNY cannot be drawn; this fixed line paid out 5.00 CNY on 2026-01-10 already",
            id="fixed twice",
        ),
        pytest.param(
            lambda: CreditLine.from_product("x", limit=Money("1000"), opened=date(2026, 1, 1)),  # type: ignore[arg-type]
            InvalidTypeError,
            "product: 'x' is a str; expected a LoanProduct",
            id="from_product str",
        ),
        pytest.param(
            lambda: _DRAWN.settle("5", on=date(2026, 2, 1)),  # type: ignore[arg-type]
            InvalidTypeError,
            "proceeds: '5' is a str; expected Money",
            id="settle str",
        ),
        pytest.param(
            lambda: _DRAWN.settle(Money("5"), on=date(2026, 1, 5)),
            InvalidValueError,
            "on: datetime.date(2026, 1, 5) is before any drawdown of this line; nothing to repay",
            id="settle before any drawdown",
        ),
        pytest.param(
            lambda: attrs.evolve(_LINE, credit="5"),  # type: ignore[arg-type]
            InvalidTypeError,
            "credit: '5' is a str; expected Money",
            id="credit str",
        ),
        pytest.param(
            lambda: attrs.evolve(_LINE, credit=Money("-1")),
            InvalidValueError,
            "credit: Money('-1', 'CNY') must be zero or positive, in whole minor units",
            id="credit negative",
        ),
        pytest.param(
            lambda: attrs.evolve(_LINE, credit=Money("1", "USD")),
            CurrencyMismatchError,
            "currency: credit Money('1', 'USD') is in USD; the line is in CNY",
            id="credit usd",
        ),
        pytest.param(
            lambda: attrs.evolve(_LINE, credit_held="x"),  # type: ignore[arg-type]
            InvalidTypeError,
            "credit_held: 'x' is a str; expected a tuple of (date, Money) pairs",
            id="credit_held str",
        ),
        pytest.param(
            lambda: CreditLine.from_product(
                LoanProduct.revolving_credit(),
                limit=Money("1000"),
                opened="2026-01-01",  # type: ignore[arg-type]
            ),
            InvalidTypeError,
            "opened: '2026-01-01' is a str; expected a datetime.date",
            id="from_product opened str",
        ),
        pytest.param(
            lambda: _line(product="x"),
            InvalidTypeError,
            "product: 'x' is a str; expected a LoanProduct or None",
            id="product str",
        ),
        pytest.param(
            lambda: _draw_with(calendar="x"),
            InvalidTypeError,
            "calendar: 'x' is a str; expected a Calendar or None",
            id="draw calendar str",
        ),
        pytest.param(
            lambda: _draw_with(conventions="x"),
            InvalidTypeError,
            "conventions: 'x' is a str; expected Conventions or None",
            id="draw conventions str",
        ),
        pytest.param(
            lambda: attrs.evolve(
                _DRAWN,
                drawdowns=(
                    _DRAWN.drawdowns[0],
                    _LINE.draw(
                        Money("5"), on=date(2026, 1, 2), maturity=date(2026, 4, 10)
                    ).drawdowns[0],
                ),
            ),
            InvalidValueError,
            "drawdowns: datetime.date(2026, 1, 2) must be disbursed on or after opened and in date "
            "order (oldest first)",
            id="drawdowns out of order",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5"), on=date(2026, 12, 31)),
            InvalidValueError,
            "maturity: None is needed for a drawdown on the line's last day",
            id="draw last day without maturity",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5"), on="2026-01-10", maturity=date(2026, 4, 10)),  # type: ignore[arg-type]
            InvalidTypeError,
            "on: '2026-01-10' is a str; expected a datetime.date",
            id="draw on str",
        ),
        pytest.param(
            lambda: _LINE.draw(Money("5"), on=date(2026, 1, 10), maturity="2026-04-10"),  # type: ignore[arg-type]
            InvalidTypeError,
            "maturity: '2026-04-10' is a str; expected a datetime.date",
            id="draw maturity str",
        ),
        pytest.param(
            lambda: _draw_with(method="equal_installment", term=3),
            InvalidValueError,
            "maturity: datetime.date(2026, 4, 10) does not apply to a equal_installment drawdown; "
            "pass term=",
            id="draw maturity of a term loan",
        ),
        pytest.param(
            lambda: _DRAWN.refund(Money("5"), on=date(2026, 1, 20)),
            InvalidValueError,
            "amount: Money('5.00', 'CNY') is more than the credit of 0.00 CNY held on 2026-01-20",
            id="refund without credit",
        ),
        pytest.param(
            lambda: attrs.evolve(_LINE, product="x"),  # type: ignore[arg-type]
            InvalidTypeError,
            "product: 'x' is a str; expected a LoanProduct or None",
            id="product field str",
        ),
        pytest.param(
            lambda: attrs.evolve(_LINE, drawdowns=["x"]),  # type: ignore[arg-type]
            InvalidTypeError,
            "drawdowns: ['x'] is a list; expected a tuple of Loans",
            id="drawdowns list",
        ),
        pytest.param(
            lambda: _DRAWN.settle(Money("5"), on="2026-02-01"),  # type: ignore[arg-type]
            InvalidTypeError,
            "on: '2026-02-01' is a str; expected a datetime.date",
            id="settle on str",
        ),
        pytest.param(
            lambda: attrs.evolve(_DRAWN, as_of=date(2026, 1, 5)),
            InvalidValueError,
            "as_of: datetime.date(2026, 1, 5) is before the last drawdown 2026-01-10",
            id="as_of before a drawdown",
        ),
        pytest.param(
            lambda: attrs.evolve(_LINE, use_by=date(2027, 1, 1)),
            InvalidValueError,
            "use_by: datetime.date(2027, 1, 1) must be between opened 2026-01-01 and expires "
            "2026-12-31",
            id="use_by after expires",
        ),
        pytest.param(
            lambda: attrs.evolve(_LINE, as_of=date(2025, 12, 1)),
            InvalidValueError,
            "as_of: datetime.date(2025, 12, 1) is before opened 2026-01-01",
            id="as_of before opened",
        ),
        pytest.param(
            lambda: attrs.evolve(
                _LINE,
                credit=Money("5"),
                credit_held=((date(2026, 1, 5), Money("5", "USD")),),
            ),
            CurrencyMismatchError,
            "currency: credit_held Money('5', 'USD') is in USD; the line is in CNY",
            id="credit_held usd",
        ),
        pytest.param(
            lambda: attrs.evolve(
                _LINE,
                refunds=((date(2026, 2, 1), Money("5")), (date(2026, 1, 20), Money("5"))),
            ),
            InvalidValueError,
            # the value is shown shortened past 80 characters
            "refunds: ((datetime.date(2026, 2, 1), Money('5', 'CNY')), (datetime.date(2026, 1, 20),"
            "... must be in date order (oldest first)",
            id="refunds out of order",
        ),
    ],
)
def test_every_refusal_of_a_line_names_its_field(
    call: Callable[[], object], error: type[MicroloanError], message: str
) -> None:
    """Each refusal is its specific error (a LineError subclass where one fits) with its
    exact message: services log and show them."""
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_an_open_ended_drawdown_takes_the_products_day_count_and_rounding() -> None:
    """A product's days in year and rounding mode reach an open-ended drawdown's schedule."""
    product = attrs.evolve(LoanProduct.revolving_credit(), days_in_year=365, rounding="down")
    line = CreditLine.from_product(product, limit=Money("100000"), opened=date(2026, 1, 1))
    loan = line.draw(Money("10000"), on=date(2026, 1, 10), maturity=date(2026, 2, 10)).drawdowns[0]
    assert (loan.schedule.days_in_year, loan.schedule.rounding) == (365, "down")


def test_settling_a_line_that_owes_nothing_leaves_it_and_returns_the_proceeds() -> None:
    """Order proceeds settled on a repaid line repay nothing: all of them go to the merchant."""
    paid = _DRAWN.repay(_DRAWN.position(on=date(2026, 1, 20)).payoff_amount, on=date(2026, 1, 20))
    line, rest = paid.settle(Money("100"), on=date(2026, 1, 25))
    assert line is paid
    assert rest == Money("100")


def test_settling_a_named_drawdown_repays_only_that_drawdown() -> None:
    """Order proceeds settled on drawdown 1 pay its payoff; the overdue drawdown 0 is left."""
    line = _LINE.draw(Money("1000"), on=date(2026, 1, 1), maturity=date(2026, 1, 31))
    line = line.draw(Money("2000"), on=date(2026, 1, 10), maturity=date(2026, 3, 10))
    day = date(2026, 2, 5)
    owed = [line.drawdown(i).payoff_amount(on=day) for i in (0, 1)]
    settled, rest = line.settle(Money("5000"), on=day, drawdown=1)
    assert rest == Money("5000") - owed[1]
    assert settled.drawdown(1).position(on=day).status == "paid_off"
    assert settled.drawdown(0).payoff_amount(on=day) == owed[0]


def test_a_line_s_position_lists_each_drawdown_once_whatever_order_they_close_in() -> None:
    """Drawdowns 2 then 0 repaid, 1 still open: the position lists the three, each its own."""
    line = _LINE
    for _ in range(3):
        line = line.draw(Money("1000"), on=date(2026, 1, 10), maturity=date(2026, 3, 10))
    day = date(2026, 1, 20)
    for index in (2, 0):
        line = line.repay(line.drawdown(index).payoff_amount(on=day), on=day, drawdown=index)
    for on in (day, date(2026, 2, 1)):
        position = line.position(on=on)
        assert position.drawdowns == tuple(loan.position(on=on) for loan in line.drawdowns)
        assert position.payoff_amount == line.drawdown(1).payoff_amount(on=on)


def test_a_line_s_journal_stops_accruing_at_the_days_it_is_given() -> None:
    """`non_accrual_days` reaches each drawdown's journal: the line books what its loan books."""
    line = _LINE.draw(Money("10000"), on=date(2026, 1, 10), maturity=date(2026, 2, 10))
    until = date(2026, 3, 31)  # 49 days past due

    def booked(entries: tuple[JournalEntry, ...]) -> list[tuple[object, ...]]:
        return [(e.on, e.kind, e.debit, e.credit, e.amount) for e in entries]

    early = line.journal(until, non_accrual_days=30)
    assert booked(early) == booked(line.drawdown(0).journal(until, non_accrual_days=30))
    assert "non_accrual" in {e.kind for e in early}
    assert "non_accrual" not in {e.kind for e in line.journal(until)}  # 90 days by default


def test_a_line_s_position_keeps_each_closed_drawdown_s_worst_days_past_due() -> None:
    """Before the last drawdown closes, a closed one repaid late and one repaid on time each
    show the days past due they reached."""
    line = _LINE
    for maturity in (date(2026, 1, 31), date(2026, 3, 10), date(2026, 5, 10)):
        line = line.draw(Money("1000"), on=date(2026, 1, 10), maturity=maturity)
    for index, day in ((1, date(2026, 1, 20)), (0, date(2026, 3, 1)), (2, date(2026, 4, 1))):
        line = line.repay(line.drawdown(index).payoff_amount(on=day), on=day, drawdown=index)
    on = date(2026, 3, 15)  # drawdown 0 repaid 29 days after its maturity, 1 on time, 2 open
    position = line.position(on=on)
    assert position.drawdowns == tuple(loan.position(on=on) for loan in line.drawdowns)
    assert [p.max_days_past_due > 0 for p in position.drawdowns] == [True, False, False]


def test_a_line_s_journal_books_to_the_chart_it_is_given() -> None:
    """A drawdown's disbursement is credited to the chart's own name for cash."""
    line = _LINE.draw(Money("10000"), on=date(2026, 1, 10), maturity=date(2026, 2, 10))
    entries = line.journal(date(2026, 1, 12), chart=ChartOfAccounts(cash="1001 Bank"))
    paid_out = [(e.debit, e.credit) for e in entries if e.kind == "disbursement"]
    assert paid_out == [("loans_receivable", "1001 Bank")]
