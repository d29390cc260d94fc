"""Servicing a loan: what happens after the money goes out.

A [`Loan`][microloan.Loan] is a plan (a [`Schedule`][microloan.Schedule], or an
open-ended daily-interest drawdown) plus its servicing terms and the
transactions posted on it. It never changes: `repay`, `charge_fee`, `waive`,
`write_off`, `refund`, `recover` and `reverse` return a new loan. At any date,
[`Loan.position`][microloan.Loan.position] says exactly what is owed and why.

The conventions (see the explanation page "Servicing a loan" for the full text):

- **Interest by the day, for the days used** (民法典 art. 677). Within a period
  the scheduled interest accrues pro rata by days, so on the due date it is
  exactly the schedule's figure; an open-ended loan accrues `daily_interest`
  on the principal outstanding. A payoff or a prepayment before the due date
  pays the interest accrued to that day (or, with
  `early_interest="period_end"`, the whole current period's).
- **Days past due** count from the oldest installment whose principal or
  interest is unpaid: the day after the due date is day 1.
- **Penalty interest** (罚息) accrues by the day on overdue principal (and, with
  `penalty_on_interest=True`, overdue interest) from the due date, at the
  contract rate × 1.5 by default. A payment within the grace days counts as
  if made on the due date (no penalty on what it pays); past the grace, the
  penalty counts from day 1. Overdue principal bears the penalty *instead of*
  the contract interest.
- **Allocation**: what is due is paid in the chosen order; anything more
  prepays principal (re-amortising the rest of the plan with the schedule
  generators) or is held as a credit that pays installments as they fall due.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, final

import attrs

from microloan._decimal import CONTEXT, ZERO, RoundingMode, in_context_methods
from microloan._ledger import Config, Ledger, Record, Trail
from microloan._validators import check_date as _check_date
from microloan._validators import check_int, check_option, option
from microloan.conventions import Conventions
from microloan.errors import (
    CurrencyMismatchError,
    MicroloanError,
    TransactionNotFoundError,
    invalid,
    within,
    wrong_type,
)
from microloan.fees import SERVICING_KINDS, Fee, check_fees
from microloan.money import MINOR_UNIT_QUANTA, Money, unchecked_money
from microloan.rates import DaysInYear, Rate
from microloan.schedules import METHODS, Schedule, bullet
from microloan.terms import (
    NON_ACCRUAL_DAYS,
    AllocationOrder,
    EarlyRepaymentInterest,
    ExcessHandling,
    PenaltyPreset,
    ServicingTerms,
)

if TYPE_CHECKING:
    from microloan.accounting import AccrualEntry, ChartOfAccounts, JournalEntry, NonAccrualPolicy
    from microloan.ledger_rows import LedgerRow

LoanStatus = Literal["current", "overdue", "paid_off", "written_off"]
"""A loan's status on a date: written off; else paid off (nothing owed); else
overdue (days past due above 0); else current."""

LoanComponent = Literal["penalty", "fees", "interest", "principal"]
"""The parts of what a borrower owes."""

TransactionKind = Literal[
    "repayment",
    "fee",
    "waiver",
    "write_off",
    "credit",
    "refund",
    "recovery",
    "deferral",
    "extension",
    "reage",
    "reamortization",
    "repricing",
]
"""What a transaction on a loan is; `"credit"` is the automatic use of a credit held on the
loan to pay what falls due (it has number 0 and is undone by reversing the payment that made
the credit); `"refund"` pays credit held back to the borrower
([`Loan.refund`][microloan.Loan.refund]); `"recovery"` is money received on a written-off
loan ([`Loan.recover`][microloan.Loan.recover]). The last five change the plan, not the
balance: `Loan.defer`, `Loan.extend`, `Loan.reage`, `Loan.reamortize` and `Loan.reprice`.
A `"fee"` of number 0 is one the loan charged itself by its [`Fee`][microloan.Fee]s: an
installment's fee on its due date, a late fee, a prepayment fee (waive it, or reverse what
caused it)."""

DeferredInterest = Literal["accrue", "waive"]
"""What [`Loan.defer`][microloan.Loan.defer] does with the interest of the periods it adds:
`"accrue"` charges it (the schedule's period interest on the principal not yet due, payable
with the first installment after the deferral); `"waive"` charges none (the installments
keep their amounts and only move). Used by `Loan.defer` and `CreditLine.defer`."""

LoanKind = Literal["installments", "open_ended"]
"""A loan repaid by a schedule of installments, or an open-ended daily-interest drawdown."""

_Waivable = Literal["penalty", "fees", "interest"]


@final
@attrs.frozen(kw_only=True)
class Allocation:
    """One part of a transaction: an amount applied to one component of one item.

    Attributes:
        component: `"penalty"`, `"fees"`, `"interest"` or `"principal"`.
        amount: the amount, in whole minor units.
        installment: the installment number it went to (None for a fee, except an
            installment's own fee or its late fee, charged by the loan itself).
        fee: the transaction number of the fee it went to (None otherwise).
        prepayment: whether it was paid before its due date (a prepayment or payoff).

    Examples:
        >>> Allocation(component="interest", amount=Money("12.50"), installment=2)
        Allocation(component='interest', amount=Money('12.50', 'CNY'), installment=2, fee=None, prepayment=False)
    """

    component: LoanComponent
    amount: Money
    installment: int | None = None
    fee: int | None = None
    prepayment: bool = False


def _sum(allocations: tuple[Allocation, ...], component: str, zero: Money) -> Money:
    return sum((a.amount for a in allocations if a.component == component), zero)


@final
@attrs.frozen(kw_only=True)
class Transaction:
    """A transaction posted on a loan, with its allocation: the audit trail.

    For a repayment, the allocations plus `excess` add up exactly to `amount`.
    A change of plan has no allocations: for a deferral `amount` is the interest it
    added, for an extension the principal re-amortised, for a re-ageing or a
    re-amortisation the principal and interest rolled over, for a repricing the
    principal outstanding; `due` is the new maturity (None for a repricing).
    For a waiver, the allocations say what was waived. For a fee, `due` is its
    due date. For a write-off, `amount` is the balance written off. A `"credit"`
    transaction (number 0) records credit held on the loan paying what fell due
    on its date; it appears once a later transaction moves the loan past that date.
    A `"refund"` has no allocations (`amount` left the credit held); the allocations
    of a `"recovery"` add up exactly to `amount`.

    Attributes:
        number: the transaction's number on its loan (1 for the first posted; 0 for
            an automatic credit application).
        kind: the [`TransactionKind`][microloan.TransactionKind]: `"repayment"`, `"fee"`,
            `"waiver"`, `"write_off"`, `"credit"`, `"refund"`, `"recovery"`, or a change of
            plan (`"deferral"`, `"extension"`, `"reage"`, `"reamortization"`, `"repricing"`).
        on: the value date.
        amount: the amount paid, charged, waived, written off, refunded or recovered.
        due: the due date of a fee (None otherwise).
        allocations: where the money went, in the order it was applied.
        excess: the part of a repayment held as a credit (zero otherwise).

    Examples:
        >>> from datetime import date
        >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
        ...                        start=date(2026, 1, 1), maturity=date(2026, 3, 2))
        >>> paid = loan.repay(Money("300"), on=date(2026, 1, 11)).transactions[-1]
        >>> paid.interest, paid.principal, paid.excess
        (Money('5.00', 'CNY'), Money('295.00', 'CNY'), Money('0.00', 'CNY'))
    """

    number: int
    kind: TransactionKind
    on: date
    amount: Money
    due: date | None = None
    allocations: tuple[Allocation, ...] = ()
    excess: Money

    @property
    def principal(self) -> Money:
        """The part allocated to principal."""
        return _sum(self.allocations, "principal", Money.zero(self.amount.currency))

    @property
    def interest(self) -> Money:
        """The part allocated to interest."""
        return _sum(self.allocations, "interest", Money.zero(self.amount.currency))

    @property
    def fees(self) -> Money:
        """The part allocated to fees."""
        return _sum(self.allocations, "fees", Money.zero(self.amount.currency))

    @property
    def penalty(self) -> Money:
        """The part allocated to penalty interest."""
        return _sum(self.allocations, "penalty", Money.zero(self.amount.currency))


@final
@attrs.frozen(kw_only=True)
class Breakdown:
    """Amounts by component.

    Attributes:
        principal: principal.
        interest: contract interest.
        fees: fees.
        penalty: penalty interest.

    Examples:
        >>> Breakdown(principal=Money("100"), interest=Money("5"),
        ...           fees=Money("0"), penalty=Money("1.20")).total
        Money('106.20', 'CNY')
    """

    principal: Money
    interest: Money
    fees: Money
    penalty: Money

    @property
    def total(self) -> Money:
        """The sum of the components."""
        return self.principal + self.interest + self.fees + self.penalty


@final
@attrs.frozen(kw_only=True)
class LoanPosition:
    """What a loan owes on one date, and why: an immutable snapshot.

    Attributes:
        on: the date of the position (everything dated up to it included).
        status: `"current"`, `"overdue"`, `"paid_off"` or `"written_off"`.
        days_past_due: days since the oldest due date whose principal or interest
            is unpaid (the day after the due date is day 1); 0 when none is. A
            deferred installment is not past due (its due date moved); a re-aged or
            re-amortised loan starts again from 0.
        max_days_past_due: the most days past due the loan reached at the end of any
            day up to `on` (at least `days_past_due`): the delinquency history a
            re-ageing does not erase ([`LoanRecord`][microloan.LoanRecord]'s field of
            the same name, read by [`vintage`][microloan.vintage]).
        principal_outstanding: all principal not yet repaid, due or not.
        interest_accrued: contract interest accrued to this date and not paid
            (what is due, plus the current period's accrual by days).
        fees_outstanding: every fee charged and not paid, due or not.
        penalty_outstanding: penalty interest accrued and not paid.
        due: what is payable on this date (overdue amounts included), by component.
        overdue: the part of `due` past its due date.
        next_due_date: the next due date after this date with something to pay, if any.
        next_due_amount: what falls due on it (principal, interest and fees).
        payoff_amount: what closes the loan on this date, net of any credit.
        credit: money held for the borrower (an excess payment).
        refunded: the credit paid back to the borrower up to this date
            ([`Loan.refund`][microloan.Loan.refund]); every repayment and recovery
            is what was allocated, plus `credit`, plus `refunded`.

    Examples:
        >>> from datetime import date
        >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
        ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
        >>> late = loan.position(on=date(2026, 2, 10))
        >>> late.status, late.days_past_due, late.penalty_outstanding
        ('overdue', 10, Money('7.50', 'CNY'))
    """

    on: date
    status: LoanStatus
    days_past_due: int
    max_days_past_due: int
    principal_outstanding: Money
    interest_accrued: Money
    fees_outstanding: Money
    penalty_outstanding: Money
    due: Breakdown
    overdue: Breakdown
    next_due_date: date | None
    next_due_amount: Money
    payoff_amount: Money
    credit: Money
    refunded: Money


@final
@attrs.frozen(kw_only=True)
class _Posting:
    """An operation as requested; the ledger replays these in date order."""

    number: int
    kind: TransactionKind
    on: date
    amount: Money | None = None
    due: date | None = None
    component: LoanComponent | None = None
    excess: ExcessHandling | None = None
    undone: Transaction | None = None
    installments: int | None = None
    interest: DeferredInterest | None = None
    term: int | None = None
    rate: Rate | None = None


def _check_schedule(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401
    if not isinstance(value, Schedule):
        raise wrong_type("schedule", value, "a Schedule")
    if not value.installments:
        raise invalid("schedule", value.term, "has no installments")


def _check_terms(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, ServicingTerms):
        raise wrong_type("terms", value, "ServicingTerms")


def _check_postings(_instance: object, _attribute: object, value: object) -> None:
    """The postings are a loan's own record: only a tuple of them, as `repay` and friends make."""
    if not isinstance(value, tuple) or not all(isinstance(p, _Posting) for p in value):
        raise wrong_type("postings", value, "the postings of a Loan (post with repay and friends)")


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class Loan:
    """An immutable loan being serviced: its plan, its terms and its transactions.

    Build one with [`Loan.from_schedule`][microloan.Loan.from_schedule] or
    [`Loan.open_ended`][microloan.Loan.open_ended]; every operation returns a
    new loan and leaves this one as it was.

    Attributes:
        schedule: the original plan (for an open-ended loan, one bullet
            installment due at maturity with daily interest).
        terms: the [`ServicingTerms`][microloan.ServicingTerms].
        kind: `"installments"` (made from a schedule) or `"open_ended"` (interest
            by the day on the principal outstanding, repayable any day).

    Raises:
        InvalidValueError: `excess="shorten_term"` on an interest-only or bullet plan.

    Examples:
        >>> from datetime import date
        >>> loan = Loan.open_ended(principal=Money("10000"), rate=Rate.daily("0.05%"),
        ...                        start=date(2026, 1, 1), maturity=date(2026, 6, 30))
        >>> loan = loan.repay(Money("4000"), on=date(2026, 2, 1))  # 31 days: 155.00 interest
        >>> loan.position(on=date(2026, 2, 1)).principal_outstanding
        Money('6155.00', 'CNY')
        >>> loan.payoff_amount(on=date(2026, 3, 3))  # 6,155 + 30 days × 3.0775
        Money('6247.33', 'CNY')
    """

    schedule: Schedule = attrs.field(validator=_check_schedule)
    terms: ServicingTerms = attrs.field(factory=ServicingTerms, validator=_check_terms)
    kind: LoanKind = attrs.field(default="installments", validator=option(LoanKind))
    _postings: tuple[_Posting, ...] = attrs.field(default=(), repr=False, validator=_check_postings)
    # the servicing state (only its Config until first used: see `_servicing`)
    _trail: Trail[_Posting] | Config = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.terms.excess == "shorten_term" and METHODS[self.schedule.method].level is None:
            raise invalid(
                "excess",
                "shorten_term",
                f"needs a level installment; a {self.schedule.method} plan has none",
            )
        plan = self.schedule
        if self.kind == "open_ended" and (plan.method != "bullet" or plan.accrual != "daily"):
            raise invalid(
                "kind",
                self.kind,
                f"needs a bullet plan with daily accrual, not {plan.method} ({plan.accrual})",
            )
        postings = self._postings  # a tuple of postings (its validator checked)
        trail: Trail[_Posting] | Config
        if postings:  # built from a document or by hand: every posting must pass the API's checks
            rebuilt = _posted_again(attrs.evolve(self, postings=()), postings)
            trail = rebuilt._servicing()  # noqa: SLF001 - the same class: the loan it rebuilt
        else:  # the conventions are checked now; the ledger is built on first use
            trail = self._config()
        object.__setattr__(self, "_trail", trail)

    # -- construction -----------------------------------------------------
    @classmethod
    def from_schedule(
        cls,
        schedule: Schedule,
        *,
        penalty_rate: Rate | PenaltyPreset = "1.5x",
        penalty_on_interest: bool = False,
        grace_days: int = 0,
        allocation: AllocationOrder = "oldest_first",
        excess: ExcessHandling = "reduce_installment",
        early_interest: EarlyRepaymentInterest = "days_used",
        fees: Sequence[Fee] = (),
    ) -> Loan:
        """A loan disbursed on `schedule.start` and repaid by `schedule`.

        The loan charges the schedule's per-installment fees on each due date, and its
        late and prepayment fees (those of the schedule and `fees`) as they arise; all
        are paid in the allocation order like any fee.

        Args:
            schedule: the repayment plan.
            penalty_rate: a [`PenaltyPreset`][microloan.PenaltyPreset] or an explicit `Rate`.
            penalty_on_interest: whether overdue interest bears penalty too (复利).
            grace_days: days after a due date within which a payment bears no penalty.
            allocation: the [`AllocationOrder`][microloan.AllocationOrder].
            excess: the [`ExcessHandling`][microloan.ExcessHandling] of overpayments.
            early_interest: the
                [`EarlyRepaymentInterest`][microloan.EarlyRepaymentInterest] convention.
            fees: late and prepayment [`Fee`][microloan.Fee]s, the servicing rules
                (added to the schedule's `fees`); upfront and per-installment fees are
                part of the schedule, given to its generator.

        Returns:
            A loan with no transactions yet.

        Raises:
            InvalidValueError: an option out of its choices, or an upfront or
                per-installment fee in `fees`.
            InvalidTypeError: `schedule` is not a Schedule.

        Examples:
            >>> from datetime import date
            >>> from microloan import equal_installment
            >>> plan = equal_installment(Money("1200"), rate=Rate.annual("12%"), term=2,
            ...                          start=date(2026, 1, 15))
            >>> loan = Loan.from_schedule(plan, grace_days=3)
            >>> [str(i.total.amount) for i in plan]
            ['609.01', '609.02']
            >>> loan.position(on=date(2026, 2, 18)).penalty_outstanding  # within the grace
            Money('0.00', 'CNY')
        """
        terms = ServicingTerms(
            penalty_rate=penalty_rate,
            penalty_on_interest=penalty_on_interest,
            grace_days=grace_days,
            allocation=allocation,
            excess=excess,
            early_interest=early_interest,
        )
        extra = check_fees(fees, kinds=SERVICING_KINDS)
        if extra and isinstance(schedule, Schedule):  # the schedule is the contract: it keeps them
            schedule = attrs.evolve(schedule, fees=(*schedule.fees, *extra))
        return cls(schedule=schedule, terms=terms)

    @classmethod
    def open_ended(
        cls,
        *,
        principal: Money,
        rate: Rate,
        start: date,
        maturity: date,
        days_in_year: DaysInYear | None = None,
        rounding: RoundingMode | None = None,
        conventions: Conventions | None = None,
        penalty_rate: Rate | PenaltyPreset = "1.5x",
        penalty_on_interest: bool = False,
        grace_days: int = 0,
        allocation: AllocationOrder = "oldest_first",
        early_interest: EarlyRepaymentInterest = "days_used",
        fees: Sequence[Fee] = (),
    ) -> Loan:
        """A daily-interest drawdown due at `maturity`, repayable in any amount on any day (随借随还).

        Interest accrues each day on the principal outstanding
        ([`daily_interest`][microloan.daily_interest]); a repayment pays the
        interest accrued so far, then principal. Principal unpaid after
        `maturity` bears penalty interest instead.

        Args:
            principal: the amount drawn, in whole minor units.
            rate: the contract rate.
            start: the drawdown date (interest counts from it).
            maturity: the date everything is due.
            days_in_year: 360 (PBoC, default), 365 or `"actual"`.
            rounding: how accrued interest is rounded when it becomes payable
                (default `"half_up"`).
            conventions: [`Conventions`][microloan.Conventions] for the days in the
                year, the rounding and the day count (the accrual is always daily);
                `days_in_year` and `rounding`, when given, override it.
            penalty_rate: a [`PenaltyPreset`][microloan.PenaltyPreset] or an explicit `Rate`.
            penalty_on_interest: whether overdue interest bears penalty too.
            grace_days: days after maturity within which a payment bears no penalty.
            allocation: the [`AllocationOrder`][microloan.AllocationOrder].
            early_interest: `"days_used"` (default) or `"period_end"` (all interest to maturity).
            fees: the drawdown's [`Fee`][microloan.Fee]s: upfront (financed or deducted),
                per installment (charged once, at maturity), late, prepayment.

        Returns:
            A loan with no transactions yet.

        Raises:
            InvalidValueError: a non-positive or fractional principal, or `maturity` not after `start`.
            InvalidTypeError: an argument of the wrong type.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("7600"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 15), maturity=date(2026, 7, 15))
            >>> loan.payoff_amount(on=date(2026, 5, 18))  # 123 days: 7,600 × 0.05% × 123 = 467.40
            Money('8067.40', 'CNY')
        """
        if not isinstance(principal, Money):
            raise wrong_type("principal", principal, "Money")
        if not principal.is_whole or principal.amount <= 0:
            raise invalid("principal", principal, "must be a positive amount in whole minor units")
        if not isinstance(rate, Rate):
            raise wrong_type("rate", rate, "a Rate, e.g. Rate.annual('18%')")
        _check_date(start, "start")
        _check_date(maturity, "maturity")
        if maturity <= start:
            raise invalid("maturity", maturity, f"must be after start {start.isoformat()}")
        schedule = bullet(
            principal,
            rate=rate,
            term=1,
            start=start,
            frequency=(maturity - start).days,
            accrual="daily",
            days_in_year=days_in_year,
            rounding=rounding,
            conventions=conventions,
            fees=fees,
        )
        terms = ServicingTerms(
            penalty_rate=penalty_rate,
            penalty_on_interest=penalty_on_interest,
            grace_days=grace_days,
            allocation=allocation,
            excess="reduce_installment",
            early_interest=early_interest,
        )
        return cls(schedule=schedule, terms=terms, kind="open_ended")

    # -- views --------------------------------------------------------------
    @property
    def principal(self) -> Money:
        """The amount disbursed."""
        return self.schedule.principal

    @property
    def rate(self) -> Rate:
        """The contract rate."""
        return self.schedule.rate

    @property
    def currency(self) -> str:
        """The loan's currency."""
        return self.schedule.principal.currency

    @property
    def start(self) -> date:
        """The disbursement date."""
        return self.schedule.start

    @property
    def maturity(self) -> date:
        """The last due date of the original plan."""
        return self.schedule.maturity

    @property
    def transactions(self) -> tuple[Transaction, ...]:
        """The active transactions in value-date order, each with its allocation.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("500"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 2, 1))
            >>> [t.kind for t in loan.charge_fee(Money("5"), on=date(2026, 1, 2)).transactions]
            ['fee']
        """
        return tuple(self._transaction(r) for r in self._servicing().ledger.records)

    @property
    def reversed_transactions(self) -> tuple[Transaction, ...]:
        """The transactions reversed so far, as they stood when reversed."""
        return tuple(p.undone for p in self._postings if p.undone is not None)

    def ledger_rows(
        self,
        *,
        on: date | None = None,
        journal: bool = False,
        chart: ChartOfAccounts | None = None,
        non_accrual_days: int = NON_ACCRUAL_DAYS,
        non_accrual: NonAccrualPolicy = "reverse",
    ) -> tuple[LedgerRow, ...]:
        """The loan's ledger as flat rows of plain values, ready for a SQL table.

        One [`LedgerRow`][microloan.LedgerRow] for the disbursement, then one per
        allocation component of each transaction (a fee or a write-off is one row;
        a repayment's excess is a `"credit"` row; a credit application's use of the
        credit and a refund are negative `"credit"` rows), in value-date order. A reversed
        transaction appears twice: as it was posted, and negated (`reversal`), on
        its own value date. Sums over the rows give the loan's figures back:

        - principal outstanding = the `"principal"` disbursement less the
          `"principal"` rows of repayments and credit applications;
        - paid in = the repayment and recovery rows; credit held = the `"credit"`
          rows; refunded = the refund rows, negated;
        - fees outstanding = the fee rows less the `"fees"` rows of repayments,
          credit applications and waivers.

        Args:
            on: include only what is dated on or before this day, and the credit
                applications up to it (as [`position`][microloan.Loan.position] sees
                them); default: the transactions as posted
                ([`transactions`][microloan.Loan.transactions]).
            journal: also the loan's [`journal`][microloan.Loan.journal] to the end
                of `on` (default: the latest value date of the rows), one row of
                source `"journal"` per entry, after the servicing rows.
            chart: the journal's [`ChartOfAccounts`][microloan.ChartOfAccounts].
            non_accrual_days: the journal's days past due from which the loan
                stops accruing into income.
            non_accrual: the journal's [`NonAccrualPolicy`][microloan.NonAccrualPolicy].

        Returns:
            The rows, their `sequence` numbered from 1.

        Raises:
            InvalidValueError: `on` is before the disbursement date (or, with the
                journal, more than ten years after it), or a bad journal option.
            InvalidTypeError: `journal` is not a bool, or `chart` not a chart.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> loan = loan.repay(Money("1015"), on=date(2026, 1, 31))
            >>> [(r.kind, r.component, str(r.amount)) for r in loan.ledger_rows()]
            [('disbursement', 'principal', '1000.00'), ('repayment', 'interest', '15.00'), ('repayment', 'principal', '1000.00')]
            >>> bounced = loan.reverse(loan.transactions[-1]).ledger_rows()
            >>> sum(r.amount for r in bounced if r.kind == "repayment"), len(bounced)
            (Decimal('0.00'), 5)
            >>> booked = loan.ledger_rows(journal=True)  # + 30 days of accrual, 2 entries
            >>> [(r.debit, r.credit, str(r.amount)) for r in booked if r.source == "journal"][-2:]
            [('cash', 'interest_receivable', '15.00'), ('cash', 'loans_receivable', '1000.00')]
        """
        from microloan.ledger_rows import (  # noqa: PLC0415 - it imports this module
            check_journal,
            loan_rows,
            with_journal,
        )

        booked = check_journal(journal)

        if on is None:
            transactions = self.transactions
            undone = self.reversed_transactions
        else:
            day = self._check_on(on, "on")
            transactions = tuple(self._transaction(r) for r in self._at(day).records)
            undone = tuple(t for t in self.reversed_transactions if t.on <= day)
        rows = tuple(loan_rows(self, transactions, undone))
        if not booked:
            return rows
        return with_journal(
            self,
            rows,
            on=None if on is None else day,
            chart=chart,
            non_accrual_days=non_accrual_days,
            non_accrual=non_accrual,
        )

    def position(self, *, on: date) -> LoanPosition:
        """What the loan owes on `on`, and why.

        Everything dated on or before `on` counts (an end-of-day view).

        Args:
            on: the date; not before the disbursement date.

        Returns:
            The [`LoanPosition`][microloan.LoanPosition].

        Raises:
            InvalidValueError: `on` is before the disbursement date.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> loan.position(on=date(2026, 1, 11)).interest_accrued
            Money('5.00', 'CNY')
        """
        ledger = _servicing(self).at(self._check_on(on, "on"))
        snap = ledger.snapshot(on)
        currency = self.schedule.principal.currency

        zero = _money(ZERO, currency)  # most figures are zero: one Money for them all

        def money(value: Decimal) -> Money:
            if not value and not value.is_signed():
                return zero
            return _money(value, currency)

        penalty = money(snap.penalty)
        written_off = ledger.written_off is not None and ledger.written_off <= on
        status: LoanStatus
        if written_off:
            status = "written_off"
        elif not snap.owed:
            status = "paid_off"
        elif snap.days_past_due > 0:
            status = "overdue"
        else:
            status = "current"
        return LoanPosition(
            on=on,
            status=status,
            days_past_due=snap.days_past_due,
            max_days_past_due=max(ledger.worst, snap.days_past_due),
            principal_outstanding=money(snap.principal),
            interest_accrued=money(snap.accrued),
            fees_outstanding=money(snap.fees),
            penalty_outstanding=penalty,
            due=Breakdown(
                principal=money(snap.due_principal),
                interest=money(snap.due_interest),
                fees=money(snap.due_fees),
                penalty=penalty,
            ),
            overdue=Breakdown(
                principal=money(snap.overdue_principal),
                interest=money(snap.overdue_interest),
                fees=money(snap.overdue_fees),
                penalty=penalty,
            ),
            next_due_date=snap.next_due,
            next_due_amount=money(snap.next_amount),
            payoff_amount=money(max(snap.owed - ledger.credit, ZERO)),
            credit=money(ledger.credit),
            refunded=money(ledger.refunded),
        )

    def payoff_amount(self, *, on: date) -> Money:
        """What a payment on `on` must be to close the loan.

        Everything due, penalty and fees (due or not), all principal, and the
        current period's interest for the days used (or to the period's end,
        with `early_interest="period_end"`), less any credit held.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> loan.payoff_amount(on=date(2026, 1, 21))
            Money('1010.00', 'CNY')
        """
        ledger = _servicing(self).at(self._check_on(on, "on"))
        return _money(ledger.payoff(on), self.schedule.principal.currency)

    def accruals(
        self,
        start: date,
        end: date,
        *,
        non_accrual_days: int = NON_ACCRUAL_DAYS,
        non_accrual: NonAccrualPolicy = "reverse",
    ) -> tuple[AccrualEntry, ...]:
        """The interest, penalty and fees earned on each day of `[start, end)`: the books' income.

        Exactly what `position` accrues: a day's accrual is the change in what is owed
        plus what was paid and waived of each component. From the end of the day the loan
        is `non_accrual_days` past due its rows are `"off_balance"` (see the explanation
        page *The lender's books*).

        Args:
            start: the first day.
            end: the day after the last (the span is half-open).
            non_accrual_days: days past due from which the loan stops accruing into income.
            non_accrual: the [`NonAccrualPolicy`][microloan.NonAccrualPolicy].

        Returns:
            [`AccrualEntry`][microloan.AccrualEntry] rows, one per day and component earned.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> rows = loan.accruals(start=date(2026, 1, 1), end=date(2026, 1, 12))
            >>> len(rows), sum((r.amount for r in rows), Money("0"))  # as position(on=Jan 11)
            (10, Money('5.00', 'CNY'))
        """
        from microloan.accounting.accrual import loan_accruals  # noqa: PLC0415 - the wing

        return loan_accruals(
            self, start, end, non_accrual_days=non_accrual_days, non_accrual=non_accrual
        )

    def journal(
        self,
        until: date,
        *,
        chart: ChartOfAccounts | None = None,
        non_accrual_days: int = NON_ACCRUAL_DAYS,
        non_accrual: NonAccrualPolicy = "reverse",
    ) -> tuple[JournalEntry, ...]:
        """The double-entry journal of the loan from its disbursement to the end of `until`.

        Args:
            until: the last day booked.
            chart: the [`ChartOfAccounts`][microloan.ChartOfAccounts] (default names by role).
            non_accrual_days: days past due from which the loan stops accruing into income.
            non_accrual: the [`NonAccrualPolicy`][microloan.NonAccrualPolicy].

        Returns:
            [`JournalEntry`][microloan.JournalEntry] values, oldest first.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> paid = loan.repay(Money("300"), on=date(2026, 1, 11))
            >>> [(e.debit, e.credit, str(e.amount.amount)) for e in paid.journal(until=date(2026, 1, 11))
            ...  if e.kind == "repayment"]
            [('cash', 'interest_receivable', '5.00'), ('cash', 'loans_receivable', '295.00')]
        """
        from microloan.accounting.journal import loan_journal  # noqa: PLC0415 - the wing

        return loan_journal(
            self,
            until,
            chart=chart,
            non_accrual_days=non_accrual_days,
            non_accrual=non_accrual,
        )

    # -- operations ---------------------------------------------------------
    def repay(self, amount: Money, *, on: date, excess: ExcessHandling | None = None) -> Loan:
        """Post a repayment of `amount` received on `on`.

        What is due is paid in the terms' allocation order; anything more is
        handled by `excess` (the terms' own option by default). A payment that
        covers the payoff amount closes the loan.

        Args:
            amount: a positive amount in the loan's currency, in whole minor units.
            on: the value date; not before the disbursement date. A date before
                earlier transactions is allowed: the loan is rebuilt in date order.
            excess: this payment's [`ExcessHandling`][microloan.ExcessHandling],
                overriding the terms (a borrower choosing at prepayment time).

        Returns:
            The loan with the repayment posted.

        Raises:
            CurrencyMismatchError: `amount` is in another currency.
            InvalidValueError: a non-positive or fractional amount, or a date
                before disbursement.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> loan.repay(Money("1015"), on=date(2026, 1, 31)).position(on=date(2026, 1, 31)).status
            'paid_off'
        """
        money = self._check_amount(amount, "amount")
        day = self._check_on(on, "on")
        if excess is not None:
            check_option("excess", excess, ExcessHandling)
            if excess == "shorten_term" and METHODS[self.schedule.method].level is None:
                raise invalid(
                    "excess",
                    excess,
                    f"needs a level installment, not a {self.schedule.method} plan",
                )
        return self._post(
            _Posting(number=self._next(), kind="repayment", on=day, amount=money, excess=excess)
        )

    def charge_fee(self, amount: Money, *, on: date, due: date | None = None) -> Loan:
        """Charge a fee (a service fee, a flat late fee) on `on`, payable on `due`.

        Args:
            amount: a positive amount in the loan's currency.
            on: the date it is charged; not before disbursement.
            due: the date it falls due (default `on`); not before `on`.

        Returns:
            The loan with the fee charged.

        Raises:
            CurrencyMismatchError: `amount` is in another currency.
            InvalidValueError: a non-positive amount, or dates out of order.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> loan.charge_fee(Money("20"), on=date(2026, 1, 5)).position(on=date(2026, 1, 5)).due.fees
            Money('20.00', 'CNY')
        """
        money = self._check_amount(amount, "amount")
        day = self._check_on(on, "on")
        payable = day if due is None else _check_date(due, "due")
        if payable < day:
            raise invalid("due", payable, f"is before the charge date {day.isoformat()}")
        return self._post(
            _Posting(number=self._next(), kind="fee", on=day, amount=money, due=payable)
        )

    def waive(
        self,
        component: _Waivable,
        *,
        on: date,
        amount: Money | None = None,
    ) -> Loan:
        """Waive what is due of one component on `on`, oldest first.

        Args:
            component: `"penalty"`, `"fees"` or `"interest"` (interest already due).
            on: the date of the waiver.
            amount: how much to waive (default: all of it that is due).

        Returns:
            The loan with the waiver posted.

        Raises:
            InvalidValueError: nothing of that component is due, or `amount` is
                more than is due.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> late = loan.waive("penalty", on=date(2026, 2, 10))
            >>> late.position(on=date(2026, 2, 10)).penalty_outstanding
            Money('0.00', 'CNY')
        """
        check_option("component", component, _Waivable)
        day = self._check_on(on, "on")
        money = None if amount is None else self._check_amount(amount, "amount")
        return self._post(
            _Posting(number=self._next(), kind="waiver", on=day, amount=money, component=component)
        )

    def write_off(self, *, on: date) -> Loan:
        """Write the loan off on `on`: accruals stop, balances stay owed, recoveries still count.

        Interest of the current period is fixed at the days used; penalty stops
        accruing. Later repayments are recoveries, applied in the usual order.

        Raises:
            InvalidValueError: the loan is already written off, or `on` is before disbursement.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> gone = loan.write_off(on=date(2026, 5, 1))
            >>> gone.position(on=date(2026, 9, 1)).status
            'written_off'
        """
        day = self._check_on(on, "on")
        return self._post(_Posting(number=self._next(), kind="write_off", on=day))

    def refund(self, amount: Money, *, on: date) -> Loan:
        """Pay `amount` of the credit held on `on` back to the borrower (退还溢缴款).

        A credit is an overpayment the loan holds (a repayment's excess, with
        `excess="credit"` or beyond the payoff); it pays installments as they fall due.
        A refund takes money out of it, as Apache Fineract's *credit balance refund*
        does: the credit shrinks, `position(...).refunded` grows, and nothing owed
        changes. It may be back-dated like a repayment; the loan is replayed in date
        order and a refund the replay would leave without enough credit is refused.

        Args:
            amount: a positive amount in the loan's currency, whole minor units, not
                more than the credit held on `on` (after what fell due by then).
            on: the value date; not before the disbursement date.

        Returns:
            The loan with the refund posted.

        Raises:
            CurrencyMismatchError: `amount` is in another currency.
            InvalidValueError: a non-positive or fractional amount, a date before
                disbursement, or more than the credit held on `on` (also when a
                posting dated before `on` would leave less).

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> over = loan.repay(Money("1100"), on=date(2026, 1, 11))  # owes 1,005: 95 held
            >>> back = over.refund(Money("95"), on=date(2026, 1, 12))
            >>> back.position(on=date(2026, 1, 12)).credit, back.position(on=date(2026, 1, 12)).refunded
            (Money('0.00', 'CNY'), Money('95.00', 'CNY'))
        """
        money = self._check_amount(amount, "amount")
        day = self._check_on(on, "on")
        return self._post(_Posting(number=self._next(), kind="refund", on=day, amount=money))

    def recover(self, amount: Money, *, on: date) -> Loan:
        """Record `amount` received on `on` on a written-off loan: a recovery (核销后收回).

        It pays the balance written off in the terms' allocation order, as a repayment
        would, and is a `"recovery"` transaction: the journal books it to the
        `recoveries` account. A recovery may not be more than is still owed of the
        balance written off (less any credit held): money beyond it is not owed, and
        a recovery never creates a credit.

        Args:
            amount: a positive amount in the loan's currency, whole minor units.
            on: the value date; on or after the write-off.

        Returns:
            The loan with the recovery posted.

        Raises:
            CurrencyMismatchError: `amount` is in another currency.
            InvalidValueError: the loan is not written off by `on` (never, or the
                write-off was reversed), or `amount` is not positive, fractional, or
                more than is still owed.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> gone = loan.write_off(on=date(2026, 1, 21))  # 1,000 + 20 days × 0.50
            >>> back = gone.recover(Money("300"), on=date(2026, 6, 1))
            >>> back.transactions[-1].kind, back.payoff_amount(on=date(2026, 6, 1))
            ('recovery', Money('710.00', 'CNY'))
        """
        money = self._check_amount(amount, "amount")
        day = self._check_on(on, "on")
        return self._post(_Posting(number=self._next(), kind="recovery", on=day, amount=money))

    # -- restructuring (each a transaction: reversible, replayed in date order) --
    def defer(self, *, on: date, installments: int, interest: DeferredInterest = "accrue") -> Loan:
        """Postpone the installments not yet due on `on` by `installments` periods (延期还本付息).

        The installment of the current period and every later one fall due
        `installments` periods later (maturity moves as much), as the 2020 policy for
        micro and small businesses allowed. With `interest="accrue"` the interest of
        the added periods (the schedule's period interest on the principal not yet
        due) accrues and is payable with the first installment after the deferral;
        with `"waive"` no interest is charged for them and every installment keeps
        its amounts. What is already due stays due (re-age an overdue loan instead).
        A deferred installment is not past due.

        Args:
            on: the date of the deferral; not before disbursement.
            installments: how many installments to postpone (and by how many periods), at least 1.
            interest: the [`DeferredInterest`][microloan.DeferredInterest] option.

        Returns:
            The loan with the deferral posted (a `"deferral"` transaction whose
            `amount` is the interest added and `due` the new maturity).

        Raises:
            InvalidValueError: an installment loan is needed (not open-ended), the loan
                is written off or repaid, nothing falls due after `on`, or a bad option.
            InvalidTypeError: `installments` is not an int.

        Examples:
            >>> from datetime import date
            >>> from microloan import equal_installment
            >>> plan = equal_installment(Money("12000"), rate=Rate.annual("12%"), term=12,
            ...                          start=date(2020, 1, 15))
            >>> held = Loan.from_schedule(plan).defer(on=date(2020, 2, 20), installments=3,
            ...                                       interest="waive")
            >>> held.position(on=date(2020, 3, 20)).next_due_date  # 15 March moved to 15 June
            datetime.date(2020, 6, 15)
            >>> held.transactions[-1].due  # the maturity, three months later
            datetime.date(2021, 4, 15)
        """
        day = self._check_on(on, "on")
        periods = check_int("installments", installments, minimum=1)
        check_option("interest", interest, DeferredInterest)
        self._check_planned("installments", periods, "deferred")
        return self._post(
            _Posting(
                number=self._next(),
                kind="deferral",
                on=day,
                installments=periods,
                interest=interest,
            )
        )

    def extend(self, *, on: date, term: int) -> Loan:
        """Extend the plan (展期): the principal not yet due re-amortised over `term` installments.

        The installments from the current period's on are replaced by `term`
        installments made by the schedule's own generator (the same method, rate
        and conventions), the first falling due on the current period's due date;
        the interest accrued so far in the current period stays. `term` must be more
        than the installments left: the maturity moves later. What is already due
        stays due.

        Args:
            on: the date of the extension; not before disbursement.
            term: the installments of the new plan from the current period's on.

        Returns:
            The loan with the extension posted (an `"extension"` transaction whose
            `amount` is the principal re-amortised and `due` the new maturity).

        Raises:
            InvalidValueError: not an installment loan, written off or repaid, no
                installment left after `on`, or `term` not more than those left.
            InvalidTypeError: `term` is not an int.

        Examples:
            >>> from datetime import date
            >>> from microloan import equal_installment
            >>> plan = equal_installment(Money("12000"), rate=Rate.annual("12%"), term=6,
            ...                          start=date(2026, 1, 15))
            >>> paid = Loan.from_schedule(plan).repay(Money("2070.58"), on=date(2026, 2, 15))
            >>> longer = paid.extend(on=date(2026, 3, 1), term=10)  # 5 installments left
            >>> longer.transactions[-1].due, longer.position(on=date(2026, 3, 1)).next_due_amount
            (datetime.date(2026, 12, 15), Money('1061.04', 'CNY'))
        """
        day = self._check_on(on, "on")
        periods = check_int("term", term, minimum=1)
        self._check_planned("term", periods, "extended")
        return self._post(_Posting(number=self._next(), kind="extension", on=day, term=periods))

    def reage(self, *, on: date, term: int, first_due: date | None = None) -> Loan:
        """Re-age an overdue loan: everything owed rolled into a new plan of `term` installments.

        All principal outstanding (overdue or not) is amortised from `on` by the
        schedule's own generator (the first installment on `first_due`, by default
        one period after `on`, then one period apart); the
        unpaid interest (overdue, and the current period's to `on`) is payable with
        the new plan's first installment; penalty accrued so far stays owed (waive it
        apart). Days past due restart from 0; `max_days_past_due` keeps the worst the
        loan reached, so reports still see that it was late.

        Args:
            on: the date of the re-ageing; something must be overdue on it.
            term: the installments of the new plan, at least 1.
            first_due: the first due date of the new plan, after `on` (default: one
                period after `on`).

        Returns:
            The loan with the re-ageing posted (a `"reage"` transaction whose `amount`
            is the principal and interest rolled over and `due` the new maturity).

        Raises:
            InvalidValueError: not an installment loan, written off, or nothing overdue on `on`.
            InvalidTypeError: `term` is not an int.

        Examples:
            >>> from datetime import date
            >>> from microloan import equal_installment
            >>> plan = equal_installment(Money("6000"), rate=Rate.annual("12%"), term=6,
            ...                          start=date(2026, 1, 15))
            >>> late = Loan.from_schedule(plan)
            >>> late.position(on=date(2026, 4, 1)).days_past_due
            45
            >>> again = late.reage(on=date(2026, 4, 1), term=6).position(on=date(2026, 4, 1))
            >>> again.days_past_due, again.max_days_past_due, again.next_due_date
            (0, 44, datetime.date(2026, 5, 1))
        """
        day = self._check_on(on, "on")
        periods = check_int("term", term, minimum=1)
        self._check_planned("term", periods, "re-aged")
        due = None if first_due is None else _check_date(first_due, "first_due")
        if due is not None and due <= day:
            raise invalid("first_due", due, f"must be after the re-ageing date {day.isoformat()}")
        return self._post(
            _Posting(number=self._next(), kind="reage", on=day, term=periods, due=due)
        )

    def reamortize(self, *, on: date) -> Loan:
        """Spread what is overdue over the installments left (re-amortisation).

        The unpaid principal of the installments due by `on` joins the principal not
        yet due, re-amortised by the schedule's own generator over as many
        installments as are left (the maturity stays); their unpaid interest is
        payable with the current period's installment; penalty accrued stays owed.
        Days past due restart from 0 (`max_days_past_due` keeps the worst reached).

        Args:
            on: the date; something must be overdue on it and an installment left after it.

        Returns:
            The loan with the re-amortisation posted (a `"reamortization"` transaction
            whose `amount` is the principal and interest spread and `due` the maturity).

        Raises:
            InvalidValueError: not an installment loan, written off, nothing overdue,
                or no installment left after `on`.

        Examples:
            >>> from datetime import date
            >>> from microloan import equal_installment
            >>> plan = equal_installment(Money("6000"), rate=Rate.annual("12%"), term=6,
            ...                          start=date(2026, 1, 15))
            >>> spread = Loan.from_schedule(plan).reamortize(on=date(2026, 3, 1))
            >>> spread.position(on=date(2026, 3, 1)).days_past_due, spread.transactions[-1].due
            (0, datetime.date(2026, 7, 15))
        """
        day = self._check_on(on, "on")
        self._check_planned("on", day, "re-amortised")
        return self._post(_Posting(number=self._next(), kind="reamortization", on=day))

    def reprice(self, rate: Rate, *, on: date) -> Loan:
        """A new contract rate from `on` (an LPR-linked loan on its reset date).

        Interest to `on` is at the rate in force before; the installments not yet
        due are re-amortised at `rate` over as many installments by the schedule's
        own generator (the current period's interest accrued to `on` stays); penalty
        interest follows the new rate from `on`. An open-ended loan accrues by the
        day at `rate` from `on`.

        Args:
            rate: the new contract rate.
            on: the date it applies from; not before the loan's last transaction.

        Returns:
            The loan with the repricing posted (a `"repricing"` transaction whose
            `amount` is the principal outstanding repriced).

        Raises:
            InvalidValueError: `on` before the last transaction, the loan written off or repaid.
            InvalidTypeError: `rate` is not a Rate.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("10000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 3, 2))
            >>> cheaper = loan.reprice(Rate.daily("0.04%"), on=date(2026, 1, 11))
            >>> cheaper.position(on=date(2026, 1, 21)).interest_accrued  # 10 days × 5 + 10 × 4
            Money('90.00', 'CNY')
        """
        if not isinstance(rate, Rate):
            raise wrong_type("rate", rate, "a Rate, e.g. Rate.annual('4.35%')")
        day = self._check_on(on, "on")
        last = max((p.on for p in self._postings if p.undone is None), default=None)
        if last is not None and day < last:
            raise invalid(
                "on",
                day,
                f"is before the loan's last transaction on {last.isoformat()}; "
                "a new rate applies from a date on or after it",
            )
        return self._post(_Posting(number=self._next(), kind="repricing", on=day, rate=rate))

    def _check_planned(self, field: str, value: object, what: str) -> None:
        """Refuse a change of plan on an open-ended loan (it has no installments)."""
        if self.kind == "open_ended":
            raise invalid(
                field,
                value,
                f"is refused: an open-ended loan has no installments to be {what} "
                "(reprice it, or repay and draw again)",
            )

    def reverse(self, transaction: Transaction) -> Loan:
        """Undo a transaction (a bounced payment): the loan is rebuilt as if it never happened.

        Args:
            transaction: an active transaction of this loan (from `transactions`).

        Returns:
            The loan without it; the reversal is kept in `reversed_transactions`.

        Raises:
            TransactionNotFoundError: the transaction is not an active
                transaction of this loan.
            InvalidValueError: a posting rests on it and is refused without it (a
                refund of the credit a repayment made, a recovery after the
                write-off): reverse that posting first. The error names it.

        Examples:
            >>> from datetime import date
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> paid = loan.repay(Money("300"), on=date(2026, 1, 11))
            >>> paid.reverse(paid.transactions[-1]).position(on=date(2026, 1, 20)) == loan.position(on=date(2026, 1, 20))
            True
        """
        if not isinstance(transaction, Transaction):
            raise wrong_type("transaction", transaction, "a Transaction")
        if transaction.kind == "credit":
            raise TransactionNotFoundError(
                f"transaction: {transaction.kind} of {transaction.amount} on "
                f"{transaction.on.isoformat()} is automatic; reverse the payment that made the credit"
            )
        if transaction.kind == "fee" and transaction.number == 0:
            raise TransactionNotFoundError(
                f"transaction: fee of {transaction.amount} on {transaction.on.isoformat()} is "
                "charged by the loan's fees; waive it, or reverse what caused it"
            )
        found = next(
            (
                self._transaction(r)
                for r in self._servicing().ledger.records
                if r.number == transaction.number
                and r.kind == transaction.kind
                and r.on == transaction.on
                and _money(r.amount, self.currency) == transaction.amount
            ),
            None,
        )
        if found is None:
            raise TransactionNotFoundError(
                f"transaction: number {transaction.number} ({transaction.kind} of "
                f"{transaction.amount} on {transaction.on.isoformat()}) is not an active "
                "transaction of this loan"
            )
        postings = tuple(
            attrs.evolve(p, undone=found) if p.number == found.number else p for p in self._postings
        )
        return self._derive(postings, self._servicing().without(found.number))

    # -- internals ----------------------------------------------------------
    def _config(self) -> Config:
        return Config(
            schedule=self.schedule, terms=self.terms, open_ended=self.kind == "open_ended"
        )

    def _servicing(self) -> Trail[_Posting]:
        """The servicing state: the postings in date order, the ledger, the checkpoints."""
        return _servicing(self)

    def _at(self, on: date) -> Ledger:
        """The ledger on `on` (the trail's own, or a copy replayed from a checkpoint)."""
        return _servicing(self).at(on)

    def _post(self, posting: _Posting) -> Loan:
        return _posted(self, posting)

    def _derive(self, postings: tuple[_Posting, ...], trail: Trail[_Posting]) -> Loan:
        return _derived(self, postings, trail)

    def _next(self) -> int:
        return len(self._postings) + 1

    def _check_amount(self, amount: object, field: str) -> Money:
        if not isinstance(amount, Money):
            raise wrong_type(field, amount, "Money")
        currency = self.schedule.principal.currency  # not the property: no context to enter
        if amount.currency != currency:
            raise CurrencyMismatchError(
                f"currency: {field} {amount!r} is in {amount.currency}; this loan is in {currency}"
            )
        if amount.amount <= 0:
            raise invalid(field, amount, "must be positive")
        if not amount.is_whole:
            raise invalid(field, amount, f"is not a whole number of {amount.currency} minor units")
        return amount

    def _check_on(self, on: object, field: str) -> date:
        day = _check_date(on, field)
        start = self.schedule.start  # not the property: no context to enter
        if day < start:
            raise invalid(field, day, f"is before the disbursement date {start.isoformat()}")
        return day

    def _transaction(self, record: Record) -> Transaction:
        currency = self.currency
        return Transaction(
            number=record.number,
            kind=record.kind,  # type: ignore[arg-type]
            on=record.on,
            amount=_money(record.amount, currency),
            due=record.due,
            allocations=tuple(
                Allocation(
                    component=comp,
                    amount=_money(value, currency),
                    installment=installment,
                    fee=fee,
                    prepayment=prepayment,
                )
                for comp, installment, fee, prepayment, value in record.allocations
            ),
            excess=_money(record.excess, currency),
        )


def _servicing(loan: Loan) -> Trail[_Posting]:
    """`loan`'s servicing state, its fresh ledger built on first use.

    This and `_derived` are functions, not methods, so that an operation does not enter
    the library's decimal context once more for each (it is in it already).
    """
    trail = loan._trail  # noqa: SLF001 - the loan's own servicing state
    if isinstance(trail, Config):  # no postings yet: the fresh ledger, on first use
        trail = Trail.fresh(trail, _apply)
        object.__setattr__(loan, "_trail", trail)
    return trail


def _derived(loan: Loan, postings: tuple[_Posting, ...], trail: Trail[_Posting]) -> Loan:
    """`loan` with `postings` and their servicing state `trail` (no field is checked again)."""
    new = object.__new__(Loan)
    object.__setattr__(new, "schedule", loan.schedule)
    object.__setattr__(new, "terms", loan.terms)
    object.__setattr__(new, "kind", loan.kind)
    object.__setattr__(new, "_postings", postings)
    object.__setattr__(new, "_trail", trail)
    return new


def _posted(loan: Loan, posting: _Posting) -> Loan:
    """`loan` with `posting` (numbered after every other) applied."""
    return _derived(loan, (*loan._postings, posting), _servicing(loan).post(posting))  # noqa: SLF001


def owed_on(loan: Loan, on: date) -> tuple[Money, Money]:
    """`loan.position(on=on).due.total` and `.payoff_amount`, from one look at the ledger."""
    ledger = _servicing(loan).at(on)
    snap = ledger.snapshot(on)
    currency = loan.schedule.principal.currency
    due = (
        _money(snap.due_principal, currency)
        + _money(snap.due_interest, currency)
        + _money(snap.due_fees, currency)
        + _money(snap.penalty, currency)
    )
    return due, _money(max(snap.owed - ledger.credit, ZERO), currency)


def closed_position(loan: Loan, on: date) -> LoanPosition:
    """`loan.position(on=on)` of a loan closed by `on`: paid off, every amount zero."""
    zero = Money.zero(loan.currency)
    nothing = Breakdown(principal=zero, interest=zero, fees=zero, penalty=zero)
    return LoanPosition(
        on=on,
        status="paid_off",
        days_past_due=0,
        max_days_past_due=worst_days_reached(loan),
        principal_outstanding=zero,
        interest_accrued=zero,
        fees_outstanding=zero,
        penalty_outstanding=zero,
        due=nothing,
        overdue=nothing,
        next_due_date=None,
        next_due_amount=zero,
        payoff_amount=zero,
        credit=zero,
        refunded=_money(refunded_total(loan), loan.currency),
    )


def refunded_total(loan: Loan) -> Decimal:
    """All the credit refunded on `loan` (what a position on or after its last posting shows)."""
    trail = loan._trail  # noqa: SLF001 - the loan's servicing state, read only
    return ZERO if isinstance(trail, Config) else trail.ledger.refunded


def closing_date(loan: Loan) -> date | None:
    """The date from which `loan` owes nothing, for good (None: it is not closed).

    A function, not a method, so that a credit line can ask it of each of its drawdowns
    without entering the library's decimal context once per drawdown.
    """
    trail = loan._trail  # noqa: SLF001 - the loan's servicing state, read only
    return None if isinstance(trail, Config) else trail.closed_from()


def worst_days_reached(loan: Loan) -> int:
    """The most days past due `loan` reached up to its last posting (a closed loan: for good)."""
    return _servicing(loan).ledger.worst


def _money(value: Decimal, currency: str) -> Money:
    """An amount the ledger keeps in whole minor units, with the currency's places."""
    return unchecked_money(
        value.quantize(MINOR_UNIT_QUANTA[currency], ROUND_HALF_EVEN, CONTEXT), currency
    )


def _posted_again(loan: Loan, postings: tuple[_Posting, ...]) -> Loan:
    """Post `postings` to `loan` again through its public operations, or raise naming the posting.

    A document's loan must pass every check a loan built through the API passed. The
    postings are posted in number order; a reversed one is reversed once nothing later
    needs it posted (when a posting is refused, the reversals pending are tried first).
    """
    pending: list[int] = []
    for index, posting in enumerate(postings):
        at = f"postings[{index}]"
        if posting.number != index + 1:
            raise invalid(
                f"{at}.number", posting.number, f"must be {index + 1} (postings in order)"
            )
        try:
            loan = _post_again(loan, posting)
        except MicroloanError as refused:
            loan = _post_after_reversals(loan, postings, index, pending, refused)
        if posting.undone is not None:
            pending.append(index)
    return _reverse_pending(loan, postings, pending)


def _post_after_reversals(
    loan: Loan,
    postings: tuple[_Posting, ...],
    index: int,
    pending: list[int],
    refused: MicroloanError,
) -> Loan:
    """Post `postings[index]`, refused as things stand, after the reversals it may rest on.

    The reversals pending are tried newest first (a later posting rests on an earlier
    one, so it was reversed first); one that cannot be reversed yet stays pending.
    """
    for pending_index in reversed(tuple(pending)):
        try:
            loan = _reverse_again(loan, postings, pending_index)
        except MicroloanError:
            continue
        pending.remove(pending_index)
        try:
            return _post_again(loan, postings[index])
        except MicroloanError:
            continue
    raise within(refused, f"postings[{index}]") from None


def _reverse_pending(loan: Loan, postings: tuple[_Posting, ...], pending: list[int]) -> Loan:
    """Reverse the postings at `pending`, each once nothing still posted needs it.

    A refund rests on the payment that made its credit, a recovery on its write-off:
    the later one was reversed first, so one refused now is tried again after the others.
    """
    while pending:
        failures: list[MicroloanError] = []
        before = len(pending)
        for index in tuple(pending):
            try:
                loan = _reverse_again(loan, postings, index)
            except MicroloanError as error:
                failures.append(error)
            else:
                pending.remove(index)
        if len(pending) == before:  # a round with none reversed: none ever will be
            raise failures[0]
    return loan


def _post_again(loan: Loan, posting: _Posting) -> Loan:
    """One posting through the operation that makes it; fields it cannot have are refused."""
    kind = posting.kind
    allowed = {
        "repayment": ("amount", "excess"),
        "fee": ("amount", "due"),
        "waiver": ("amount", "component"),
        "write_off": (),
        "refund": ("amount",),
        "recovery": ("amount",),
        "deferral": ("installments", "interest"),
        "extension": ("term",),
        "reage": ("term", "due"),
        "reamortization": (),
        "repricing": ("rate",),
    }.get(kind)
    if allowed is None:
        raise invalid("kind", kind, "is recorded automatically, never posted")
    for name in _POSTING_FIELDS:
        if name not in allowed and getattr(posting, name) is not None:
            raise invalid(name, getattr(posting, name), f"is not part of a {kind}")
    for name in allowed:
        if name in _REQUIRED and getattr(posting, name) is None:
            raise invalid(name, None, f"is needed by a {kind}")
    return _AGAIN[kind](loan, posting)


_POSTING_FIELDS: Final = (
    "amount",
    "due",
    "component",
    "excess",
    *(
        "installments",
        "interest",
        "term",
        "rate",
    ),
)
_REQUIRED: Final = ("installments", "interest", "term", "rate")

#: Each kind of posting, posted again through the operation that makes it.
_AGAIN: Final[dict[str, Callable[[Loan, _Posting], Loan]]] = {
    "repayment": lambda loan, p: loan.repay(p.amount, on=p.on, excess=p.excess),  # type: ignore[arg-type]
    "fee": lambda loan, p: loan.charge_fee(p.amount, on=p.on, due=p.due),  # type: ignore[arg-type]
    "waiver": lambda loan, p: loan.waive(p.component, on=p.on, amount=p.amount),  # type: ignore[arg-type]
    "write_off": lambda loan, p: loan.write_off(on=p.on),
    "refund": lambda loan, p: loan.refund(p.amount, on=p.on),  # type: ignore[arg-type]
    "recovery": lambda loan, p: loan.recover(p.amount, on=p.on),  # type: ignore[arg-type]
    "deferral": lambda loan, p: loan.defer(
        on=p.on,
        installments=p.installments,  # type: ignore[arg-type]
        interest=p.interest,  # type: ignore[arg-type]
    ),
    "extension": lambda loan, p: loan.extend(on=p.on, term=p.term),  # type: ignore[arg-type]
    "reage": lambda loan, p: loan.reage(on=p.on, term=p.term, first_due=p.due),  # type: ignore[arg-type]
    "reamortization": lambda loan, p: loan.reamortize(on=p.on),
    "repricing": lambda loan, p: loan.reprice(p.rate, on=p.on),  # type: ignore[arg-type]
}


def _reverse_again(loan: Loan, postings: tuple[_Posting, ...], index: int) -> Loan:
    undone = postings[index].undone
    if undone is None:  # pragma: no cover - only reversed postings are pending
        return loan
    if undone.number != postings[index].number:
        raise invalid(
            f"postings[{index}].undone.number", undone.number, f"must be {postings[index].number}"
        )
    try:
        return loan.reverse(undone)
    except MicroloanError as refused:
        again = _derived_reversal(loan, postings[index], undone)
        if again is None:
            raise within(refused, f"postings[{index}].undone") from None
        return again


def _derived_reversal(loan: Loan, posting: _Posting, undone: Transaction) -> Loan | None:
    """Reverse a write-off, or a waiver of all that was owed, whose amount moved on replay.

    Such a posting carries no amount: the ledger works it out from the balance. A posting
    made after the reversal but dated before it changes that balance when the document is
    replayed (everything is posted before the reversals), so the active transaction of
    that number, kind and date is reversed, and the document's record of what was undone
    (as it stood when it was reversed) is kept. None when there is no such transaction.
    """
    if posting.amount is not None:
        return None
    active = next(
        (
            t
            for t in loan.transactions
            if (t.number, t.kind, t.on) == (undone.number, undone.kind, undone.on)
        ),
        None,
    )
    if active is None:
        return None
    reversed_ = loan.reverse(active)
    kept = tuple(
        attrs.evolve(p, undone=undone) if p.number == undone.number else p
        for p in reversed_._postings  # noqa: SLF001 - the same module's loan
    )
    return _derived(reversed_, kept, _servicing(reversed_))


def _apply(ledger: Ledger, posting: _Posting) -> None:
    """Post `posting` to `ledger`: the engine's operation for its kind."""
    _APPLY[posting.kind](ledger, posting)


def _amount(posting: _Posting) -> Decimal:
    if posting.amount is None:  # pragma: no cover - the operations always give one
        raise invalid("amount", None, f"is missing from a {posting.kind}")
    return posting.amount.amount


#: The engine's operation for each kind of posting.
_APPLY: Final[dict[str, Callable[[Ledger, _Posting], None]]] = {
    "repayment": lambda led, p: led.repay(p.number, p.on, _amount(p), p.excess),
    "fee": lambda led, p: led.charge_fee(p.number, p.on, p.due or p.on, _amount(p)),
    "waiver": lambda led, p: led.waive(
        p.number, p.on, p.component or "penalty", None if p.amount is None else p.amount.amount
    ),
    "write_off": lambda led, p: led.write_off(p.number, p.on),
    "refund": lambda led, p: led.refund(p.number, p.on, _amount(p)),
    "recovery": lambda led, p: led.recover(p.number, p.on, _amount(p)),
    "deferral": lambda led, p: led.defer(
        p.number, p.on, p.installments or 1, p.interest or "accrue"
    ),
    "extension": lambda led, p: led.extend(p.number, p.on, p.term or 1),
    "reage": lambda led, p: led.reage(p.number, p.on, p.term or 1, p.due),
    "reamortization": lambda led, p: led.reamortize(p.number, p.on),
    "repricing": lambda led, p: led.reprice(p.number, p.on, p.rate or led.config.rate),
}
