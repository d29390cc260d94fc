"""The `microloan demo` tour: one short section per capability the library has today."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from microloan.accounting import portfolio_journal, provisions, trial_balance
from microloan.analytics import Rule, auc, ks, lift_table, reject_impact
from microloan.conventions import Conventions
from microloan.daycount import add_months, day_count, year_fraction
from microloan.lines import CreditLine
from microloan.loans import Loan
from microloan.money import Money
from microloan.portfolio import LoanRecord, ageing_report, roll_rates, vintage
from microloan.rates import Rate
from microloan.schedules import equal_installment, flat
from microloan.serialization import to_json

if TYPE_CHECKING:
    from collections.abc import Callable


def _money_and_rates() -> list[str]:
    rate = Rate.daily("5‱")
    loan = Money("7600")
    days = 123
    interest = (loan * rate.per_day() * days).round()
    return [
        "Money is exact Decimal, rounding is explicit, nothing is lost in a split:",
        f"  {loan} split 3 ways -> {', '.join(str(p) for p in loan.allocate([1, 1, 1]))}",
        (
            f"  {Money('2.345')} rounded half-up {Money('2.345').round()},"
            f" half-even {Money('2.345').round('half_even')}"
        ),
        "",
        (
            f"Rates keep their quoted unit: {rate!r} is {rate.per_year() * 100:.2f}% a year on 360 days"
            f" and {rate.per_year(365) * 100:.2f}% on 365."
        ),
        f"  The platform's average merchant: {loan} used for {days} days at {rate} costs {interest}",
        f"  ({interest.amount / loan.amount * 100:.2f}% of the loan, though the annual rate is 18%).",
    ]


def _dates() -> list[str]:
    anchor = date(2024, 1, 31)
    dues = [add_months(anchor, k).isoformat() for k in range(1, 5)]
    start, end = date(2024, 1, 31), date(2024, 3, 1)
    return [
        f"Due dates never drift: from {anchor} monthly -> {', '.join(dues)}",
        (
            f"  {start} to {end}: {day_count(start, end)} actual days,"
            f" {day_count(start, end, '30/360')} on 30/360,"
            f" {year_fraction(start, end, 'act/act'):.6f} of a year act/act."
        ),
    ]


def _days_late(i: int, month: int) -> int:
    """A fixed, pseudo-random delinquency history: month 0 is February, 1 is March."""
    u = i * 7919 % 1000
    feb = 0 if u < 960 else 10 if u < 975 else 40 if u < 985 else 70 if u < 992 else 100
    if month == 0:
        return feb
    if feb == 0:
        return 12 if i * 104729 % 1000 < 15 else 0
    if feb == 10:
        return 0 if i % 2 else 40
    if feb == 40:
        return 0 if i % 3 == 0 else 70
    return feb + 30


def _ageing() -> list[str]:
    start, on = date(2026, 2, 28), date(2026, 3, 31)

    def snapshot(when: date, month: int) -> list[LoanRecord]:
        return [
            LoanRecord(
                loan_id=i,
                disbursed=date(2025, 7 + i % 6, 1 + i % 28),
                principal=Money(3000 + 100 * (i % 50)),
                outstanding=Money(2000 + 100 * (i % 30) - 100 * month),
                days_past_due=_days_late(i, month),
                on=when,
            )
            for i in range(2000)
        ]

    before, book = snapshot(start, 0), snapshot(on, 1)
    report = ageing_report(book, on=on, scheme="m")
    five = ageing_report(book, on=on, scheme="five-tier")
    rows = "  ".join(f"{r['bucket']} {r['loans']}" for r in report.as_rows()[:-1] if r["loans"])
    roll = roll_rates(before, book, start=start, end=on)
    curves = vintage(before + book, over=30)
    return [
        f"Ageing 2,000 loans on {on}: {rows}",
        (
            f"  overdue {report.overdue_rate():.2%} of the balance"
            f" ({report.overdue_rate(by='count'):.2%} of loans),"
            f" M1+ {report.m1_plus_rate():.2%}, M3+ {report.m3_plus_rate():.2%},"
            f" NPL {five.npl_ratio():.2%}"
        ),
        f"  five-tier: {', '.join(f'{label} {five.count(label)}' for label in five.labels)}",
        f"Roll rates since {start}: "
        + ", ".join(
            f"{a} -> {b} {roll.rate(a, b):.1%}"
            for a, b in (("M0", "M1"), ("M1", "M0"), ("M1", "M2"), ("M2", "M3"), ("M3", "M4"))
        ),
        "Vintage 30+ at the latest month on book: "
        + ", ".join(f"{c:%Y-%m} {curves.curve(c)[-1]:.2%}" for c in curves.cohorts),
    ]


def _schedules() -> list[str]:
    start = date(2026, 3, 10)
    credit = equal_installment(Money("50000"), rate=Rate.annual("21%"), term=12, start=start)
    first, last = credit.installments[0], credit.installments[-1]
    offer = flat(Money("12000"), rate=Rate.monthly("0.5%"), term=12, start=start)
    by = {
        name: equal_installment(
            credit.principal, rate=credit.rate, term=12, start=start, conventions=preset()
        )
        for name, preset in (
            ("a Chinese bank", Conventions.cn_bank),
            ("a spreadsheet", Conventions.spreadsheet),
            ("a daily-rate lender", Conventions.daily),
        )
    }
    return [
        f"A 12-month credit loan of {credit.principal} at {credit.rate}, equal installments:",
        (
            f"  {len(credit) - 1} x {first.total} then {last.total} (the last absorbs the"
            f" rounding); interest {credit.total_interest}, balance ends at {last.balance}"
        ),
        (
            f"  first month: principal {first.principal} + interest {first.interest};"
            f" APR {credit.apr(method='simple') * 100:.2f}% simple,"
            f" {credit.apr(fee=Money('500')) * 100:.2f}% compound with a 500 fee"
        ),
        "  the same loan under each lender's conventions (last installment, interest):",
        *(
            f"    {name}: {plan.installments[-1].total}, {plan.total_interest}"
            for name, plan in by.items()
        ),
        (
            f"A flat-rate offer, {offer.rate} on {offer.principal} over 12 months:"
            f" {offer.installments[0].total} a month, {offer.total_interest} in all,"
        ),
        (
            f"  looks like 6% a year but its APR (PBoC 2021 No. 3) is"
            f" {offer.apr(method='simple') * 100:.2f}% simple, {offer.apr() * 100:.2f}% compound."
        ),
    ]


def _servicing() -> list[str]:
    plan = equal_installment(
        Money("12000"), rate=Rate.annual("12%"), term=12, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan, grace_days=3)
    loan = loan.repay(plan.installments[0].total, on=date(2026, 2, 15))
    late = loan.position(on=date(2026, 3, 25))
    loan = loan.repay(late.due.total, on=date(2026, 3, 25))
    loan = loan.repay(Money("4066.19"), on=date(2026, 4, 15), excess="shorten_term")
    after = loan.position(on=date(2026, 4, 15))
    payoff_day = date(2026, 5, 1)
    payoff = loan.payoff_amount(on=payoff_day)
    closed = loan.repay(payoff, on=payoff_day)
    drawdown = Loan.open_ended(
        principal=Money("7600"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 15),
        maturity=date(2026, 7, 15),
    )
    used = date(2026, 5, 18)
    return [
        f"Servicing {plan.principal} at {plan.rate}, 12 installments of {plan.installments[0].total}:",
        (
            f"  installment 2 paid {late.days_past_due} days late: {late.due.total}"
            f" with {late.due.penalty} penalty (1.5x the rate, grace 3 days)"
        ),
        (
            f"  15 Apr: installment 3 + 3,000 prepaid, term shortened: {after.principal_outstanding}"
            f" left, next {after.next_due_amount} on {after.next_due_date}"
        ),
        (
            f"  paid off on {payoff_day}: {payoff} (interest for the days used:"
            f" {closed.transactions[-1].interest}); status {closed.position(on=payoff_day).status}"
        ),
        (
            f"  stored: {len(closed.ledger_rows())} ledger rows for a SQL table,"
            f" {len(closed.ledger_rows(journal=True, on=payoff_day))} with its journal; a"
            f" {len(to_json(closed)):,}-byte JSON document, described by json_schema(Loan)"
        ),
        (
            f"A drawdown of {drawdown.principal} at {drawdown.rate}, repaid after 123 days:"
            f" {drawdown.payoff_amount(on=used)}"
        ),
    ]


def _lift() -> list[str]:
    # Deterministic toy book: the overdue rate rises with the number of credit inquiries.
    inquiries = [i % 31 for i in range(3100)]
    overdue = [1 if (i * 7919) % 100 < 12 + inquiries[i] else 0 for i in range(3100)]
    table = lift_table(inquiries, overdue, bins=[3, 10, 21])
    impact = reject_impact(inquiries, overdue, reject=Rule(">=", 21))
    return [
        (
            f"Lift table of {table.count} applicants by credit inquiries"
            f" (overdue rate {table.bad_rate:.2%}):"
        ),
        *(f"  {line}" for line in table.format(3).splitlines()),
        (
            f"  Rejecting {impact.rule} turns away {impact.rejected} applicants:"
            f" overdue {impact.bad_rate_before:.2%} -> {impact.bad_rate_after:.2%},"
            f" {f'{impact.reduction_points or 0:.2%}'.rstrip('%')} points"
            f" or {impact.reduction_relative:.1%} relative."
        ),
        f"  KS {ks(inquiries, overdue):.3f}, AUC {auc(inquiries, overdue):.3f} (exact Decimals).",
    ]


def _revolving_line() -> list[str]:
    line = CreditLine.revolving(
        limit=Money("100000"),
        rate=Rate.daily("0.05%"),
        opened=date(2026, 3, 2),
        expires=date(2027, 3, 1),
    )
    line = line.draw(Money("30000"), on=date(2026, 3, 10), maturity=date(2026, 9, 6))
    april = line.position(on=date(2026, 4, 9))
    line = line.repay(Money("20450"), on=date(2026, 4, 9))
    after = line.available(on=date(2026, 4, 9))
    line = line.draw(Money("50000"), on=date(2026, 4, 15), maturity=date(2026, 5, 15))
    late = line.position(on=date(2026, 5, 25))
    frozen = line.freeze(on=date(2026, 5, 25))
    return [
        f"A revolving line of {line.limit} at {line.rate}: nothing drawn, nothing owed.",
        (
            f"  10 Mar draw 30,000; 30 days later interest {april.interest_accrued};"
            f" repay 20,450 -> available {after}"
        ),
        (
            f"  15 Apr draw 50,000 for 30 days, unpaid: on 25 May {late.days_past_due} days past"
            f" due, overdue {late.overdue} (penalty {late.penalty_outstanding})"
        ),
        (
            f"  frozen: available {frozen.available(on=date(2026, 5, 25))};"
            f" its drawdowns keep running (payoff {late.payoff_amount})"
        ),
    ]


def _deferral_year() -> list[str]:
    plan = equal_installment(
        Money("200000"), rate=Rate.annual("5.15%"), term=12, start=date(2020, 1, 15)
    )
    loan = Loan.from_schedule(plan).repay(plan.installments[0].total, on=date(2020, 2, 15))
    loan = loan.defer(on=date(2020, 3, 1), installments=3, interest="accrue")
    deferral = loan.transactions[-1]
    march = loan.position(on=date(2020, 3, 16))
    loan = loan.reprice(Rate.annual("4.85%"), on=date(2020, 4, 20))
    june = loan.position(on=date(2020, 4, 20))
    undone = loan.reverse(loan.transactions[-1])
    return [
        (
            f"A merchant's {plan.principal} from {plan.start} at {plan.rate}, 12 installments"
            f" of {plan.installments[0].total}; the first paid on time."
        ),
        (
            f"  2020-03-01 deferral of 3 installments (延期还本付息): {deferral.amount} interest"
            f" added, maturity now {deferral.due}"
        ),
        (
            f"  2020-03-16: {march.status}, {march.days_past_due} days past due; next"
            f" {march.next_due_amount} on {march.next_due_date}"
        ),
        (
            f"  2020-04-20 repriced to 4.85% (LPR 3.85% + 1): next {june.next_due_amount}"
            f" on {june.next_due_date}"
        ),
        (
            f"  Reversed, the repricing never happened: next"
            f" {undone.position(on=date(2020, 4, 20)).next_due_amount}"
        ),
    ]


def _month_end() -> list[str]:
    on = date(2026, 3, 31)
    daily = Rate.daily("0.05%")
    current = Loan.open_ended(
        principal=Money("10000"), rate=daily, start=date(2026, 1, 5), maturity=date(2026, 4, 5)
    ).repay(Money("2000"), on=date(2026, 2, 5))
    plan = equal_installment(
        Money("12000"), rate=Rate.annual("18%"), term=6, start=date(2025, 12, 20)
    )
    late = Loan.from_schedule(plan).repay(plan.installments[0].total, on=date(2026, 1, 20))
    bad = Loan.open_ended(
        principal=Money("5000"), rate=daily, start=date(2025, 10, 1), maturity=date(2025, 12, 1)
    )
    book = {"A": current, "B": late, "C": bad}
    tb = trial_balance(portfolio_journal(book, until=on), on=on)
    p = provisions([LoanRecord.from_loan(k, v, on=on) for k, v in book.items()], on=on)
    width = max(len(a) for a in tb.accounts)
    rows = [f"    {a:<{width}} {tb.balance(a)!s:>16}" for a in tb.accounts]
    return [
        f"Three loans closed on {on}: trial balance (balanced: {tb.balanced})",
        *rows,
        (
            f"  Provisions (PBoC 2002 rates + 1% general reserve): {p.total};"
            f" coverage {p.coverage:.1%} of non-performing {p.non_performing},"
            f" ratio {p.ratio:.2%}; the 150% / 2.5% minimums need {p.required()}"
        ),
    ]


#: The tour's sections in order; each capability adds its own.
SECTIONS: list[tuple[str, Callable[[], list[str]]]] = [
    ("Money and rates", _money_and_rates),
    ("Dates and day counts", _dates),
    ("Schedules and APR", _schedules),
    ("Servicing a loan", _servicing),
    ("A deferral year", _deferral_year),
    ("Revolving credit line", _revolving_line),
    ("Ageing report", _ageing),
    ("Lift table", _lift),
    ("Month-end books", _month_end),
]


def run_demo() -> None:
    """Print the tour to standard output."""
    print("microloan — a tour of what the library does today\n")
    for title, section in SECTIONS:
        print(f"== {title} ==")
        for line in section():
            print(line)
        print()
