"""Business days: a calendar with holidays and worked weekends, the rules that move due dates."""

from __future__ import annotations

import inspect
import pickle
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, get_args

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import microloan
from microloan import (
    BusinessDay,
    Calendar,
    Conventions,
    CreditLine,
    InvalidTypeError,
    InvalidValueError,
    Loan,
    LoanProduct,
    Money,
    Rate,
    Schedule,
    add_months,
    bullet,
    due_dates,
    equal_installment,
    equal_principal,
    flat,
    from_json,
    interest_only,
    to_json,
)
from tests.strategies import (
    business_day_rules,
    calendars,
    moving_rules,
    schedule_arguments,
)

GENERATORS: tuple[Any, ...] = (equal_installment, equal_principal, interest_only, bullet, flat)

# -- known answers: the State Council's 2020 holiday notice ----------------------------------
# 国务院办公厅关于2020年部分节假日安排的通知 (国办发明电〔2019〕16号, 21 November 2019):
# 春节 1月24日至30日放假调休，共7天；1月19日（星期日）、2月1日（星期六）上班。
# 国庆节、中秋节 10月1日至8日放假调休，共8天；9月27日（星期日）、10月10日（星期六）上班。
CHINA_2020 = Calendar(
    holidays=[
        date(2020, 1, 1),
        *(date(2020, 1, d) for d in range(24, 31)),
        *(date(2020, 10, d) for d in range(1, 9)),
    ],
    workdays=[date(2020, 1, 19), date(2020, 2, 1), date(2020, 9, 27), date(2020, 10, 10)],
)

# -- known answers: QuantLib's business day convention tests -----------------------------------
# QuantLib test-suite/businessdayconventions.cpp (BusinessDayConventionTest::testConventions),
# calendar SouthAfrica(), endOfMonth false; the definitions are the 2006 ISDA Definitions'
# Section 4.12. South Africa's public holidays of early 2015 (Public Holidays Act 36 of 1994):
# New Year's Day 1 January, Human Rights Day 21 March, Good Friday 3 April, Family Day 6 April,
# Freedom Day 27 April, Workers' Day 1 May.
SOUTH_AFRICA_2015 = Calendar(
    holidays=[
        date(2015, 1, 1),
        date(2015, 3, 21),
        date(2015, 4, 3),
        date(2015, 4, 6),
        date(2015, 4, 27),
        date(2015, 5, 1),
    ]
)


@pytest.mark.parametrize(
    ("rule", "start", "months", "expected"),
    [
        ("following", date(2015, 2, 3), 1, date(2015, 3, 3)),
        ("following", date(2015, 1, 31), 1, date(2015, 3, 2)),
        ("modified_following", date(2015, 2, 3), 1, date(2015, 3, 3)),
        ("modified_following", date(2015, 1, 31), 1, date(2015, 2, 27)),
        ("modified_following", date(2015, 3, 25), 1, date(2015, 4, 28)),
        ("modified_following", date(2015, 2, 7), 1, date(2015, 3, 9)),
        ("preceding", date(2015, 3, 3), -1, date(2015, 2, 3)),
        ("preceding", date(2015, 3, 1), -1, date(2015, 1, 30)),
        ("none", date(2015, 2, 3), 1, date(2015, 3, 3)),
        ("none", date(2015, 1, 31), 1, date(2015, 2, 28)),
    ],
)
def test_adjust_reproduces_quantlibs_business_day_convention_table(
    rule: BusinessDay, start: date, months: int, expected: date
) -> None:
    """A date moved by months then adjusted lands where QuantLib's table says (SouthAfrica, 2015)."""
    assert SOUTH_AFRICA_2015.adjust(add_months(start, months), rule) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2015, 2, 3), 4, date(2015, 2, 9)),  # QuantLib: Following, Period(4, Days)
        (date(2015, 2, 3), -2, date(2015, 1, 30)),  # QuantLib: Preceding, Period(-2, Days)
    ],
)
def test_add_business_days_reproduces_quantlibs_advance_in_days(
    start: date, days: int, expected: date
) -> None:
    """T+n counts business days as QuantLib's Calendar::advance does (SouthAfrica, 2015)."""
    assert SOUTH_AFRICA_2015.add_business_days(start, days) == expected


def test_the_2020_notice_makes_worked_weekends_business_days_and_holidays_not() -> None:
    """调休: Saturday 10 October 2020 is worked, the weekdays of 1-8 October are not."""
    assert CHINA_2020.is_business_day(date(2020, 10, 10))
    assert CHINA_2020.is_business_day(date(2020, 9, 27))
    assert CHINA_2020.is_business_day(date(2020, 2, 1))
    assert not CHINA_2020.is_business_day(date(2020, 10, 5))  # a Monday off
    assert not CHINA_2020.is_business_day(date(2020, 10, 11))  # an ordinary Sunday
    assert CHINA_2020.adjust(date(2020, 10, 1), "following") == date(2020, 10, 9)
    assert CHINA_2020.adjust(date(2020, 10, 1), "preceding") == date(2020, 9, 30)
    assert CHINA_2020.adjust(date(2020, 1, 24), "following") == date(2020, 1, 31)
    # T+1 from Friday 9 October is the worked Saturday
    assert CHINA_2020.add_business_days(date(2020, 10, 9), 1) == date(2020, 10, 10)
    # 28 September to 12 October: 28, 29, 30 September, 9 and 10 October
    assert CHINA_2020.business_days_between(date(2020, 9, 28), date(2020, 10, 12)) == 5


def test_a_schedule_over_national_day_2020_moves_its_due_dates_and_charges_the_actual_days() -> (
    None
):
    """Due on 1 August (Sat), 1 October (holiday), 1 November (Sun): moved; interest per actual day."""
    plan = interest_only(
        Money("10000"),
        rate=Rate.daily("0.05%"),
        term=4,
        start=date(2020, 7, 1),
        accrual="daily",
        calendar=CHINA_2020,
        business_day="following",
    )
    rows = [(i.nominal_due, i.due_date, i.days, i.interest.amount) for i in plan]
    # the dates from the notice; interest = 10,000 x 0.05% x days (按日计息)
    assert rows == [
        (date(2020, 8, 1), date(2020, 8, 3), 33, Decimal("165.00")),
        (None, date(2020, 9, 1), 62 - 33, Decimal("145.00")),
        (date(2020, 10, 1), date(2020, 10, 9), 38, Decimal("190.00")),
        (date(2020, 11, 1), date(2020, 11, 2), 24, Decimal("120.00")),
    ]
    assert plan.first_due == date(2020, 8, 1)  # the nominal anchor


def test_a_worked_weekend_due_date_stays_where_a_weekday_rule_would_move_it() -> None:
    """Saturday 10 October 2020 is a workday: a loan due on the 10th is due that day."""
    moved = [
        i.due_date
        for i in equal_installment(
            Money("3000"),
            rate=Rate.annual("18%"),
            term=3,
            start=date(2020, 8, 10),
            calendar=CHINA_2020,
            business_day="following",
        )
    ]
    weekends_only = [
        i.due_date
        for i in equal_installment(
            Money("3000"),
            rate=Rate.annual("18%"),
            term=3,
            start=date(2020, 8, 10),
            business_day="following",
        )
    ]
    assert moved == [date(2020, 9, 10), date(2020, 10, 10), date(2020, 11, 10)]
    assert weekends_only == [date(2020, 9, 10), date(2020, 10, 12), date(2020, 11, 10)]


# -- properties of the rules ------------------------------------------------------------------


@given(calendar=calendars(), rule=moving_rules, offset=st.integers(0, 400))
def test_an_adjusted_date_is_a_business_day(
    calendar: Calendar, rule: BusinessDay, offset: int
) -> None:
    """Every rule but "none" lands on a business day, and leaves a business day alone."""
    day = date(2026, 1, 1) + timedelta(days=offset)
    moved = calendar.adjust(day, rule)
    assert calendar.is_business_day(moved)
    if calendar.is_business_day(day):
        assert moved == day


@given(calendar=calendars(), offset=st.integers(0, 400))
def test_following_is_on_or_after_and_preceding_on_or_before(
    calendar: Calendar, offset: int
) -> None:
    """Following never moves a date earlier, preceding never later; nothing lies between."""
    day = date(2026, 1, 1) + timedelta(days=offset)
    after, before = calendar.adjust(day, "following"), calendar.adjust(day, "preceding")
    assert before <= day <= after
    between = [day + timedelta(days=k) for k in range((after - day).days)]
    between += [before + timedelta(days=k + 1) for k in range((day - before).days)]
    assert not any(calendar.is_business_day(d) for d in between if d not in (before, after))


@given(calendar=calendars(), offset=st.integers(0, 400))
def test_modified_following_stays_in_the_month(calendar: Calendar, offset: int) -> None:
    """Modified following is following unless that leaves the month, then preceding."""
    day = date(2026, 1, 1) + timedelta(days=offset)
    moved = calendar.adjust(day, "modified_following")
    after = calendar.adjust(day, "following")
    assert moved == (after if after.month == day.month else calendar.adjust(day, "preceding"))
    earlier = [day.replace(day=k) for k in range(1, day.day + 1)]
    if after.month == day.month or any(calendar.is_business_day(d) for d in earlier):
        assert moved.month == day.month


@given(calendar=calendars(), offset=st.integers(0, 400))
def test_none_is_the_identity(calendar: Calendar, offset: int) -> None:
    """The rule "none" never moves a date."""
    day = date(2026, 1, 1) + timedelta(days=offset)
    assert calendar.adjust(day, "none") == day


@given(calendar=calendars(), offset=st.integers(0, 400), days=st.integers(-30, 30))
def test_business_days_between_counts_what_add_business_days_steps(
    calendar: Calendar, offset: int, days: int
) -> None:
    """From a business day, n business days on is n business days between (either way)."""
    day = calendar.adjust(date(2026, 1, 1) + timedelta(days=offset), "following")
    later = calendar.add_business_days(day, days)
    assert calendar.is_business_day(later)
    assert calendar.business_days_between(day, later) == days
    brute = sum(calendar.is_business_day(day + timedelta(days=k)) for k in range(40))
    assert calendar.business_days_between(day, day + timedelta(days=40)) == brute


# -- properties of schedules ------------------------------------------------------------------


@given(
    arguments=schedule_arguments(max_term=24),
    data=st.data(),
    rule=business_day_rules,
    generator=st.sampled_from(GENERATORS),
)
def test_a_schedules_due_dates_are_its_nominal_dates_adjusted_and_no_cent_is_lost(
    arguments: dict[str, Any], data: st.DataObject, rule: BusinessDay, generator: Any
) -> None:
    """Each due date is the nominal one moved by the rule; parts still add up to the principal."""
    calendar = data.draw(calendars(start=arguments["start"], days=800))
    try:
        plan: Schedule = generator(**arguments, calendar=calendar, business_day=rule)
    except InvalidValueError as error:
        assume("business_day" not in str(error))  # short periods collapsing onto one day
        raise
    nominal = due_dates(
        arguments["start"],
        arguments["term"],
        frequency=arguments["frequency"],
        first_due=arguments.get("first_due"),
    )
    if generator is bullet:
        nominal = nominal[-1:]
    assert [i.nominal_due or i.due_date for i in plan] == list(nominal)
    assert [i.due_date for i in plan] == [calendar.adjust(d, rule) for d in nominal]
    assert all(
        (i.nominal_due is None) == (i.due_date == n) for i, n in zip(plan, nominal, strict=True)
    )
    assert plan.total_principal == plan.principal
    assert plan.installments[-1].balance.amount == 0
    assert plan.total == plan.total_principal + plan.total_interest
    assert Schedule(**attrs.asdict(plan, recurse=False)) == plan  # every invariant holds
    assert from_json(to_json(plan), Schedule) == plan


@given(
    arguments=schedule_arguments(max_term=24),
    calendar=calendars(),
    generator=st.sampled_from(GENERATORS),
)
def test_the_rule_none_leaves_a_schedule_as_without_a_calendar(
    arguments: dict[str, Any], calendar: Calendar, generator: Any
) -> None:
    """business_day="none" moves nothing, whatever the calendar."""
    plain: Schedule = generator(**arguments)
    with_calendar: Schedule = generator(**arguments, calendar=calendar, business_day="none")
    assert with_calendar.installments == plain.installments


@given(
    units=st.integers(100_00, 10_000_000_00),
    term=st.integers(1, 24),
    start_offset=st.integers(0, 365),
    data=st.data(),
    rule=moving_rules,
)
def test_daily_interest_follows_the_actual_days_between_the_moved_dates(
    units: int, term: int, start_offset: int, data: st.DataObject, rule: BusinessDay
) -> None:
    """Interest only, by the day: each installment is principal x daily rate x its actual days."""
    start = date(2026, 1, 1) + timedelta(days=start_offset)
    calendar = data.draw(calendars(start=start, days=800))
    principal = Money.from_minor_units(units)
    plan = interest_only(
        principal,
        rate=Rate.daily("0.05%"),
        term=term,
        start=start,
        accrual="daily",
        calendar=calendar,
        business_day=rule,
    )
    for item in plan:
        exact = principal.amount * Decimal("0.0005") * item.days
        assert item.interest == Money(exact).round()
    assert sum(i.days for i in plan) == (plan.maturity - start).days


@given(arguments=schedule_arguments(max_term=24), calendar=calendars(), rule=moving_rules)
def test_period_accrual_charges_the_nominal_periods_whatever_the_moves(
    arguments: dict[str, Any], calendar: Calendar, rule: BusinessDay
) -> None:
    """With period accrual a moved date changes no amount: only the dates move."""
    arguments = {**arguments, "accrual": "period", "start": date(2026, 1, 1) + timedelta(days=3)}
    arguments.pop("first_due", None)
    plain = equal_installment(**arguments)
    try:
        moved = equal_installment(**arguments, calendar=calendar, business_day=rule)
    except InvalidValueError as error:
        assume("business_day" not in str(error))
        raise
    amounts = [(i.principal, i.interest, i.balance) for i in moved]
    assert amounts == [(i.principal, i.interest, i.balance) for i in plain]


# -- servicing reads the moved due date -----------------------------------------------------


def test_days_past_due_count_from_the_moved_due_date() -> None:
    """Due nominally on 1 October 2020, moved to the 9th: not late on the 2nd, one day late on the 10th."""
    plan = interest_only(
        Money("10000"),
        rate=Rate.daily("0.05%"),
        term=4,
        start=date(2020, 7, 1),
        accrual="daily",
        calendar=CHINA_2020,
        business_day="following",
    )
    loan = Loan.from_schedule(plan)
    loan = loan.repay(Money("165.00"), on=date(2020, 8, 3)).repay(
        Money("145.00"), on=date(2020, 9, 1)
    )
    assert loan.position(on=date(2020, 10, 2)).days_past_due == 0
    assert loan.position(on=date(2020, 10, 9)).days_past_due == 0
    assert loan.position(on=date(2020, 10, 10)).days_past_due == 1
    assert loan.position(on=date(2020, 10, 2)).next_due_date == date(2020, 10, 9)


def test_a_prepayment_re_amortises_on_the_nominal_dates() -> None:
    """After a prepayment the remaining installments keep their moved dates and a whole principal."""
    plan = equal_installment(
        Money("12000"),
        rate=Rate.annual("18%"),
        term=6,
        start=date(2020, 7, 1),
        accrual="daily",
        calendar=CHINA_2020,
        business_day="following",
    )
    loan = Loan.from_schedule(plan).repay(plan.installments[0].total, on=date(2020, 8, 3))
    loan = loan.repay(Money("3000"), on=date(2020, 8, 20))
    paid_on = []
    day = date(2020, 8, 20)
    while (position := loan.position(on=day)).next_due_date is not None:
        day = position.next_due_date
        paid_on.append(day)
        assert position.next_due_amount is not None
        loan = loan.repay(position.next_due_amount, on=day)
    # nominally 1 September to 1 January; 1 October and 1 November moved
    assert paid_on == [
        date(2020, 9, 1),
        date(2020, 10, 9),
        date(2020, 11, 2),
        date(2020, 12, 1),
        date(2021, 1, 1),
    ]
    assert loan.position(on=day).principal_outstanding == Money("0")


@st.composite
def _moved_schedules(draw: st.DrawFn) -> Schedule:
    """A small monthly schedule from 2026 whose due dates move on a random calendar."""
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 60)))
    generator = draw(st.sampled_from(GENERATORS[:3]))
    plan: Schedule = generator(
        Money.from_minor_units(draw(st.integers(100_00, 5_000_000))),
        rate=Rate.annual(draw(st.decimals(min_value=0, max_value=Decimal("0.36"), places=4))),
        term=draw(st.integers(1, 12)),
        start=start,
        accrual=draw(st.sampled_from(["period", "daily"])),
        calendar=draw(calendars(start=start, days=400)),
        business_day=draw(moving_rules),
    )
    return plan


@given(plan=_moved_schedules())
def test_paying_on_the_moved_due_dates_costs_exactly_the_schedule(plan: Schedule) -> None:
    """On the moved dates: never past due, no penalty, paid off with the schedule's totals."""
    loan = Loan.from_schedule(plan)
    for item in plan:
        if item.nominal_due is not None and item.nominal_due < item.due_date:
            assert loan.position(on=item.nominal_due + timedelta(days=1)).days_past_due == 0
        assert loan.position(on=item.due_date).due.total == item.total
        if item.total:
            loan = loan.repay(item.total, on=item.due_date)
        assert loan.position(on=item.due_date).days_past_due == 0
    end = loan.position(on=plan.maturity + timedelta(days=1))
    assert end.status == "paid_off"
    assert end.payoff_amount == Money.zero()


@given(plan=_moved_schedules(), share=st.integers(1, 90), day=st.integers(1, 27))
def test_a_prepayment_keeps_the_moved_due_dates_ahead(plan: Schedule, share: int, day: int) -> None:
    """After a prepayment that re-amortises, the installments ahead fall on the same moved dates."""
    assume(len(plan) >= 2)  # one installment to pay, at least one ahead
    loan = Loan.from_schedule(plan)
    first = plan.installments[0]
    loan = loan.repay(first.total, on=first.due_date) if first.total else loan
    on = min(
        first.due_date + timedelta(days=day), plan.installments[1].due_date - timedelta(days=1)
    )
    assume(on > first.due_date)
    outstanding = loan.position(on=on).principal_outstanding
    loan = loan.repay((outstanding * share / 100).round("down") + Money("0.01"), on=on)
    dates = []
    position = loan.position(on=on)
    while position.next_due_date is not None and position.next_due_amount:
        dates.append(position.next_due_date)
        loan = loan.repay(position.next_due_amount, on=position.next_due_date)
        position = loan.position(on=position.next_due_date)
    assert set(dates) <= {item.due_date for item in plan.installments[1:]}
    assert loan.position(on=plan.maturity).principal_outstanding == Money.zero()


# -- the options travel: conventions, products, credit lines -----------------------------------


def test_conventions_carry_the_rule_and_the_calendar_to_a_generator() -> None:
    """A bundle's business_day and calendar apply; an explicit argument overrides them."""
    bundle = Conventions(business_day="following", calendar=CHINA_2020)
    arguments: dict[str, Any] = {"rate": Rate.annual("18%"), "term": 4, "start": date(2020, 7, 1)}
    plan = equal_installment(Money("4000"), **arguments, conventions=bundle)
    assert plan.installments[2].due_date == date(2020, 10, 9)
    assert plan.conventions == bundle
    back = equal_installment(
        Money("4000"), **arguments, conventions=bundle, business_day="preceding"
    )
    assert back.installments[2].due_date == date(2020, 9, 30)


def test_a_product_and_a_draw_move_a_drawdowns_due_dates() -> None:
    """LoanProduct's rule and calendar reach its drawdowns; a draw's own arguments win."""
    product = attrs.evolve(
        LoanProduct.installment_loan(), business_day="following", calendar=CHINA_2020
    )
    line = CreditLine.revolving(
        limit=Money("500000"),
        rate=Rate.annual("18%"),
        opened=date(2020, 7, 1),
        expires=date(2021, 6, 30),
        product=product,
    )
    drawn = line.draw(Money("60000"), on=date(2020, 7, 1), term=6)
    assert drawn.drawdowns[0].schedule.installments[2].due_date == date(2020, 10, 9)
    own = line.draw(Money("60000"), on=date(2020, 7, 1), term=6, business_day="none")
    assert own.drawdowns[0].schedule.installments[2].due_date == date(2020, 10, 1)
    plain = CreditLine.revolving(
        limit=Money("50000"),
        rate=Rate.daily("0.05%"),
        opened=date(2020, 7, 1),
        expires=date(2021, 6, 30),
    )
    open_ended = plain.draw(
        Money("1000"),
        on=date(2020, 9, 1),
        maturity=date(2020, 10, 1),
        calendar=CHINA_2020,
        business_day="following",
    )
    assert open_ended.drawdowns[0].maturity == date(2020, 10, 9)


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "error", "field"),
    [
        ({"holidays": [datetime(2020, 10, 1, 9)]}, InvalidTypeError, "holidays"),  # noqa: DTZ001 - naive on purpose
        ({"holidays": "2020-10-01"}, InvalidTypeError, "holidays"),
        ({"workdays": 5}, InvalidTypeError, "workdays"),
        ({"workdays": [date(2020, 10, 9)]}, InvalidValueError, "workdays"),  # a Friday
        (
            {"holidays": [date(2020, 10, 10)], "workdays": [date(2020, 10, 10)]},
            InvalidValueError,
            "workdays",
        ),
    ],
)
def test_a_calendar_refuses_what_is_not_a_date_or_contradicts_itself(
    arguments: dict[str, Any], error: type[Exception], field: str
) -> None:
    """Dates only, no datetimes; a workday is a weekend day; no day both holiday and workday."""
    with pytest.raises(error, match=f"^{field}: "):
        Calendar(**arguments)


def test_the_calendar_methods_refuse_a_datetime_and_an_unknown_rule() -> None:
    """A datetime carries a time and is not a day; a rule is one of BusinessDay's."""
    with pytest.raises(InvalidTypeError, match=r"^day: "):
        Calendar().is_business_day(datetime(2020, 10, 1, 9))  # noqa: DTZ001 - naive on purpose
    with pytest.raises(InvalidValueError, match=r"^rule: "):
        Calendar().adjust(date(2020, 10, 1), "nearest")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"^day: "):
        Calendar(holidays=[date(9999, 12, 31)]).adjust(date(9999, 12, 31))


def test_due_dates_that_would_fall_together_are_refused() -> None:
    """Daily installments over a weekend would move two due dates onto Monday: refused."""
    with pytest.raises(InvalidValueError, match=r"^business_day: "):
        equal_installment(
            Money("1000"),
            rate=Rate.annual("18%"),
            term=5,
            start=date(2026, 1, 15),
            frequency=1,
            business_day="following",
        )
    with pytest.raises(InvalidTypeError, match=r"^calendar: "):
        equal_installment(
            Money("1000"),
            rate=Rate.annual("18%"),
            term=5,
            start=date(2026, 1, 15),
            calendar=[],  # type: ignore[arg-type]
        )


def test_a_tampered_due_date_is_refused_by_the_schedule_invariants() -> None:
    """A moved date must be its nominal date adjusted by the rule; a document cannot say otherwise."""
    plan = interest_only(
        Money("10000"),
        rate=Rate.annual("18%"),
        term=4,
        start=date(2020, 7, 1),
        calendar=CHINA_2020,
        business_day="following",
    )
    fields = attrs.asdict(plan, recurse=False)
    first, second, third, fourth = plan.installments
    # 1 October moved to the 12th instead of the 9th, the next period starting there
    moved_too_far = (
        first,
        second,
        attrs.evolve(third, due_date=date(2020, 10, 12)),
        attrs.evolve(fourth, period_start=date(2020, 10, 12)),
    )
    with pytest.raises(InvalidValueError, match=r"^installments\[2\]\.due_date: "):
        Schedule(**{**fields, "installments": moved_too_far})
    with pytest.raises(InvalidValueError, match=r"^installments\[0\]\.nominal_due: "):
        Schedule(**{**fields, "business_day": "none"})
    unmoved = attrs.evolve(second, nominal_due=second.due_date)
    with pytest.raises(InvalidValueError, match=r"^installments\[1\]\.nominal_due: "):
        Schedule(**{**fields, "installments": (first, unmoved, third, fourth)})


def test_a_calendar_repr_round_trips_and_pickles() -> None:
    """repr lists the dates in order and evaluates back; pickling keeps the value."""
    import datetime as dt

    assert eval(repr(CHINA_2020), {"Calendar": Calendar, "datetime": dt}) == CHINA_2020  # noqa: S307
    assert repr(Calendar()) == "Calendar()"
    assert pickle.loads(pickle.dumps(CHINA_2020)) == CHINA_2020
    assert hash(Calendar(holidays=[date(2020, 1, 1)])) == hash(
        Calendar(holidays={date(2020, 1, 1)})
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        CHINA_2020.holidays = frozenset()  # type: ignore[misc]
    assert microloan.Calendar.__module__ == "microloan"


def test_the_option_and_its_homes_are_the_ones_the_issue_names() -> None:
    """BusinessDay's four choices; business_day= and calendar= on generators, products, draws, bundles."""
    assert get_args(BusinessDay) == ("following", "preceding", "modified_following", "none")
    for generator in GENERATORS:
        parameters = inspect.signature(generator).parameters
        assert parameters["business_day"].default is None  # None: the bundle's, "none" by default
        assert parameters["calendar"].default is None
    draw = inspect.signature(CreditLine.draw).parameters
    assert {"business_day", "calendar"} <= set(draw)
    assert Conventions().business_day == "none"
    assert Conventions().calendar is None
    product = LoanProduct.installment_loan()
    assert (product.business_day, product.calendar) == ("none", None)
    bundled = LoanProduct(
        name="x",
        rate=Rate.annual("18%"),
        min_amount=Money("100"),
        max_amount=Money("1000"),
        conventions=Conventions(business_day="preceding", calendar=CHINA_2020),
    )
    assert (bundled.business_day, bundled.calendar) == ("preceding", CHINA_2020)
