"""The double-entry journal of loans and credit lines, and the trial balance.

Every event on a loan is booked as debit/credit pairs to a
[`ChartOfAccounts`][microloan.ChartOfAccounts], following the accrual-based loan
accounting of Apache Fineract (`AccrualBasedAccountingProcessorForLoan`): a disbursement
debits loans receivable; each day's accrual debits the receivable and credits income;
a repayment credits each receivable by component, an overpayment the borrower's credit
balance; a waiver takes income back; a write-off moves the balances to write-offs, and
money received afterwards is a recovery; a refund pays the borrower's credit back in cash.

**One mapping entry per transaction kind.** `BOOKINGS` maps each
[`TransactionKind`][microloan.TransactionKind] to the function that books it; a kind the
books do not know is refused, never skipped. A new kind of loan event needs one entry
there (and nothing else changes: accrual, non-accrual and the trial balance read the
loan's positions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Final, Literal, final

import attrs

from microloan._decimal import in_context, in_context_methods
from microloan._validators import (
    check_date,
    check_int,
    check_iterable,
    check_mapping,
    date_field,
    option,
)
from microloan.accounting.accounts import ChartOfAccounts, check_account
from microloan.accounting.accrual import (
    AccrualEntry,
    NonAccrualPolicy,
    check_loan_id,
    check_policy,
    check_reach,
    check_whole_money,
    days,
)
from microloan.errors import CurrencyMismatchError, invalid, wrong_type
from microloan.loans import Transaction
from microloan.money import Money, minor_unit_places
from microloan.terms import NON_ACCRUAL_DAYS

if TYPE_CHECKING:
    from microloan.lines import CreditLine
    from microloan.loans import Loan

EntryKind = Literal[
    "disbursement",
    "accrual",
    "repayment",
    "fee",
    "waiver",
    "write_off",
    "recovery",
    "credit",
    "refund",
    "reversal",
    "non_accrual",
    "cure",
    "provision",
]
"""What a journal entry books: the transaction kinds, the daily `"accrual"`, a
`"recovery"` on a written-off loan, a `"refund"` of credit held (borrower credits
debited, cash credited), the `"reversal"` of a reversed transaction, the
`"non_accrual"` reversal into the off-balance memo and its `"cure"`, and a `"provision"`."""


def _check_source(
    _instance: object, _attribute: object, value: Transaction | AccrualEntry | None
) -> None:
    if value is not None and not isinstance(value, Transaction | AccrualEntry):
        raise wrong_type("source", value, "a Transaction, an AccrualEntry or None")


@final
@attrs.frozen(kw_only=True)
class JournalEntry:
    """One double-entry line: `amount` debited to one account and credited to another.

    Attributes:
        on: the value date.
        debit: the account debited.
        credit: the account credited.
        amount: the amount, positive, in whole minor units.
        source: the [`Transaction`][microloan.Transaction] or
            [`AccrualEntry`][microloan.AccrualEntry] it comes from (`None` for the
            disbursement and the non-accrual moves, which come from the loan itself).
        kind: the [`EntryKind`][microloan.EntryKind].
        loan_id: the loan (a drawdown's index on a line, a portfolio's key), if any.

    Examples:
        >>> from datetime import date
        >>> from microloan import Loan, Money, Rate
        >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
        ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
        >>> first = loan.journal(until=date(2026, 1, 1))[0]
        >>> first.debit, first.credit, first.amount, first.kind
        ('loans_receivable', 'cash', Money('1000.00', 'CNY'), 'disbursement')
    """

    on: date = attrs.field(validator=date_field)
    debit: str = attrs.field(validator=check_account)
    credit: str = attrs.field(validator=check_account)
    amount: Money = attrs.field(
        validator=lambda _i, _a, v: check_whole_money("amount", v, positive=True)
    )
    source: Transaction | AccrualEntry | None = attrs.field(default=None, validator=_check_source)
    kind: EntryKind = attrs.field(validator=option(EntryKind))
    loan_id: str | int | None = attrs.field(
        default=None, validator=lambda _i, _a, v: check_loan_id(v)
    )


_REC: Final = ("interest_receivable", "penalty_receivable", "fees_receivable")
_INC: Final = ("interest_income", "penalty_income", "fee_income")
_INDEX: Final = {"interest": 0, "penalty": 1, "fees": 2}


class _Books:
    """One loan's books while its history is replayed: balances in minor units."""

    def __init__(
        self,
        chart: ChartOfAccounts,
        currency: str,
        policy: NonAccrualPolicy,
        loan_id: str | int | None,
    ) -> None:
        self.chart = chart
        self.currency = currency
        self.policy = policy
        self.loan_id = loan_id
        self.on_books = [0, 0, 0]  # interest, penalty, fees receivable
        self.memo = [0, 0, 0]  # the same, off balance (non-accrual)
        self.principal = 0
        self.non_accrual = False
        self.written_off = False
        self.entries: list[JournalEntry] = []
        self.day = date.min

    def post(
        self,
        debit: str,
        credit: str,
        units: int,
        kind: EntryKind,
        source: Transaction | AccrualEntry | None = None,
    ) -> None:
        if units == 0:
            return
        if units < 0:
            debit, credit, units = credit, debit, -units
        self.entries.append(
            JournalEntry(
                on=self.day,
                debit=getattr(self.chart, debit),
                credit=getattr(self.chart, credit),
                amount=Money.from_minor_units(units, self.currency),
                source=source,
                kind=kind,
                loan_id=self.loan_id,
            )
        )

    def accrue(self, i: int, units: int, source: AccrualEntry | Transaction) -> None:
        kind: EntryKind = "accrual" if isinstance(source, AccrualEntry) else "fee"
        if self.written_off:
            return  # nothing accrues on a written-off loan; what it pays is a recovery
        if self.non_accrual:
            self.post("off_balance_interest", "off_balance_contra", units, kind, source)
            self.memo[i] += units
        else:
            self.post(_REC[i], _INC[i], units, kind, source)
            self.on_books[i] += units

    def collect(self, component: str, units: int, paid_from: str, t: Transaction) -> None:
        """`units` of `component` paid from `paid_from` (cash, or the borrower's credit)."""
        kind: EntryKind = "credit" if t.kind == "credit" else "repayment"
        if self.written_off:
            self.post(paid_from, "recoveries", units, "recovery", t)
            return
        if component == "principal":
            self.post(paid_from, "loans_receivable", units, kind, t)
            self.principal -= units
            return
        i = _INDEX[component]
        settled = min(units, self.on_books[i])
        self.post(paid_from, _REC[i], settled, kind, t)
        self.on_books[i] -= settled
        rest = units - settled  # income owed off balance: recognised as it is received
        if rest:
            self.post(paid_from, _INC[i], rest, kind, t)
            memo = min(rest, self.memo[i])
            self.post("off_balance_contra", "off_balance_interest", memo, kind, t)
            self.memo[i] -= memo

    def forgive(self, component: str, units: int, t: Transaction) -> None:
        if self.written_off:
            return
        i = _INDEX[component]
        settled = min(units, self.on_books[i])
        self.post(_INC[i], _REC[i], settled, "waiver", t)
        self.on_books[i] -= settled
        memo = min(units - settled, self.memo[i])
        self.post("off_balance_contra", "off_balance_interest", memo, "waiver", t)
        self.memo[i] -= memo

    def close_day(self, days_past_due: int, threshold: int) -> None:
        if self.written_off:
            return
        late = days_past_due >= threshold
        if late and not self.non_accrual:
            self.non_accrual = True
            if self.policy == "reverse":
                for i in range(3):
                    units = self.on_books[i]
                    self.post(_INC[i], _REC[i], units, "non_accrual")
                    self.post("off_balance_interest", "off_balance_contra", units, "non_accrual")
                    self.memo[i] += units
                    self.on_books[i] = 0
        elif not late and self.non_accrual:
            self.non_accrual = False
            for i in range(3):
                units = self.memo[i]
                self.post(_REC[i], _INC[i], units, "cure")
                self.post("off_balance_contra", "off_balance_interest", units, "cure")
                self.on_books[i] += units
                self.memo[i] = 0


def _repayment(books: _Books, t: Transaction) -> None:
    for a in t.allocations:
        books.collect(a.component, a.amount.minor_units, "cash", t)
    books.post("cash", "borrower_credits", t.excess.minor_units, "repayment", t)


def _credit(books: _Books, t: Transaction) -> None:
    for a in t.allocations:
        books.collect(a.component, a.amount.minor_units, "borrower_credits", t)


def _refund(books: _Books, t: Transaction) -> None:
    """Credit held paid back: the liability to the borrower falls, and so does cash."""
    books.post("borrower_credits", "cash", t.amount.minor_units, "refund", t)


def _recovery(books: _Books, t: Transaction) -> None:
    """Money received on a written-off loan: cash debited, recoveries credited."""
    for a in t.allocations:
        books.collect(a.component, a.amount.minor_units, "cash", t)


def _fee(books: _Books, t: Transaction) -> None:
    books.accrue(2, t.amount.minor_units, t)


def _waiver(books: _Books, t: Transaction) -> None:
    for a in t.allocations:
        books.forgive(a.component, a.amount.minor_units, t)


def _write_off(books: _Books, t: Transaction) -> None:
    books.post("write_offs", "loans_receivable", books.principal, "write_off", t)
    books.principal = 0
    for i in range(3):
        books.post("write_offs", _REC[i], books.on_books[i], "write_off", t)
        books.post("off_balance_contra", "off_balance_interest", books.memo[i], "write_off", t)
    books.on_books = [0, 0, 0]
    books.memo = [0, 0, 0]
    books.written_off = True


def _replanned(books: _Books, t: Transaction) -> None:
    """A change of plan (deferral, extension, re-ageing, …) moves no money: no entry.

    Interest it adds is booked as it accrues, like any other.
    """


BOOKINGS: Final[dict[str, Callable[[_Books, Transaction], None]]] = {
    "repayment": _repayment,
    "credit": _credit,
    "fee": _fee,
    "waiver": _waiver,
    "write_off": _write_off,
    "refund": _refund,
    "recovery": _recovery,
    "deferral": _replanned,
    "extension": _replanned,
    "reage": _replanned,
    "reamortization": _replanned,
    "repricing": _replanned,
}
"""How each transaction kind is booked: a new kind of loan event adds one entry here."""


def _book(books: _Books, t: Transaction) -> None:
    booking = BOOKINGS.get(t.kind)
    if booking is None:
        raise invalid("kind", t.kind, "is a transaction kind the books have no entry for")
    booking(books, t)


def _reversed(books: _Books, t: Transaction) -> None:
    """A reversed transaction, booked as it stood and taken back on its own date."""
    scratch = _Books(books.chart, books.currency, "reverse", books.loan_id)
    scratch.day = t.on
    if t.kind == "write_off":
        scratch.post("write_offs", "loans_receivable", t.amount.minor_units, "write_off", t)
    else:
        scratch.on_books = [t.amount.minor_units] * 3  # settle against receivables
        scratch.principal = t.amount.minor_units
        scratch.written_off = t.kind == "recovery"  # a recovery is booked to recoveries
        _book(scratch, t)
    for entry in scratch.entries:
        books.entries.append(entry)
        books.entries.append(
            attrs.evolve(entry, debit=entry.credit, credit=entry.debit, kind="reversal")
        )


def loan_entries(
    loan: Loan,
    until: date,
    *,
    chart: ChartOfAccounts,
    threshold: int,
    policy: NonAccrualPolicy,
    loan_id: str | int | None = None,
) -> list[JournalEntry]:
    """The journal of one loan, from its disbursement to the end of `until`."""
    books = _Books(chart, loan.currency, policy, loan_id)
    if until < loan.start:
        return []
    check_reach(loan, until, "until", until)
    books.day = loan.start
    books.principal = loan.principal.minor_units
    upfront = loan.schedule.upfront_fees.minor_units  # kept back from what is paid out
    books.post("loans_receivable", "cash", books.principal - upfront, "disbursement")
    if upfront:
        books.post("loans_receivable", "fee_income", upfront, "disbursement")
    pending = sorted(loan.reversed_transactions, key=lambda t: t.on)
    before = (0, 0, 0)
    for day in days(loan, until):
        books.day = day.on
        while pending and pending[0].on <= day.on:
            _reversed(books, pending.pop(0))
        for i, component in enumerate(("interest", "penalty")):
            change = day.earned[i] - before[i]
            if change:
                row = AccrualEntry(
                    on=day.on,
                    component=component,  # type: ignore[arg-type]
                    amount=Money.from_minor_units(change, loan.currency),
                    book="off_balance" if books.non_accrual else "income",
                    loan_id=loan_id,
                )
                books.accrue(i, change, row)
        before = day.earned
        # a fee is income when charged: book the day's charges before what pays them (the
        # loan lists a credit's use of the day before a fee charged later that day)
        for t in sorted(day.transactions, key=lambda t: t.kind != "fee"):
            _book(books, t)
        books.close_day(day.days_past_due, threshold)
    return books.entries


def _chart(chart: object) -> ChartOfAccounts:
    if chart is None:
        return ChartOfAccounts()
    if not isinstance(chart, ChartOfAccounts):
        raise wrong_type("chart", chart, "a ChartOfAccounts")
    return chart


@in_context
def loan_journal(
    loan: Loan,
    until: date,
    *,
    chart: ChartOfAccounts | None = None,
    non_accrual_days: int = NON_ACCRUAL_DAYS,
    non_accrual: NonAccrualPolicy = "reverse",
) -> tuple[JournalEntry, ...]:
    """The entries of [`Loan.journal`][microloan.Loan.journal]."""
    day = check_date(until, "until")
    threshold, policy = check_policy(non_accrual_days, non_accrual)
    return tuple(loan_entries(loan, day, chart=_chart(chart), threshold=threshold, policy=policy))


def _line_entries(
    line: CreditLine,
    until: date,
    *,
    chart: ChartOfAccounts,
    threshold: int,
    policy: NonAccrualPolicy,
    prefix: str | int | None = None,
) -> list[JournalEntry]:
    out: list[JournalEntry] = []
    for i, loan in enumerate(line.drawdowns):
        key: str | int = i if prefix is None else f"{prefix}/{i}"
        out.extend(
            loan_entries(loan, until, chart=chart, threshold=threshold, policy=policy, loan_id=key)
        )
    out.extend(_line_credit_entries(line, until, chart=chart, prefix=prefix))
    out.sort(key=lambda e: e.on)
    return out


def _line_credit_entries(
    line: CreditLine, until: date, *, chart: ChartOfAccounts, prefix: str | int | None
) -> list[JournalEntry]:
    """The line's own credit, booked on the days it arose: cash received, held for the borrower.

    Nothing on the line spends it (a drawdown's own credit pays what falls due on that
    loan and is booked in its journal), so it stays in borrower credits until refunded
    (borrower credits debited, cash credited, on the refund's date).
    """
    books = _Books(chart, line.currency, "reverse", prefix)
    for on, amount in line.credit_held:
        if on > until:
            break  # in date order
        books.day = on
        books.post("cash", "borrower_credits", amount.minor_units, "repayment")
    for on, amount in line.refunds:
        if on > until:
            break  # in date order
        books.day = on
        books.post("borrower_credits", "cash", amount.minor_units, "refund")
    return books.entries


@in_context
def line_journal(
    line: CreditLine,
    until: date,
    *,
    chart: ChartOfAccounts | None = None,
    non_accrual_days: int = NON_ACCRUAL_DAYS,
    non_accrual: NonAccrualPolicy = "reverse",
) -> tuple[JournalEntry, ...]:
    """The entries of [`CreditLine.journal`][microloan.CreditLine.journal]."""
    day = check_date(until, "until")
    threshold, policy = check_policy(non_accrual_days, non_accrual)
    return tuple(_line_entries(line, day, chart=_chart(chart), threshold=threshold, policy=policy))


@in_context
def portfolio_journal(
    books: Mapping[str, Loan | CreditLine] | Mapping[int, Loan | CreditLine],
    *,
    until: date,
    chart: ChartOfAccounts | None = None,
    non_accrual_days: int = NON_ACCRUAL_DAYS,
    non_accrual: NonAccrualPolicy = "reverse",
) -> tuple[JournalEntry, ...]:
    """The journal of many loans and credit lines, in date order, each entry naming its loan.

    Args:
        books: loans and credit lines by their id; a line's drawdowns are
            `"<id>/<index>"`.
        until: the last day booked (end of day).
        chart: the [`ChartOfAccounts`][microloan.ChartOfAccounts] (default names by role).
        non_accrual_days: days past due from which a loan stops accruing into income.
        non_accrual: the [`NonAccrualPolicy`][microloan.NonAccrualPolicy].

    Returns:
        The entries, oldest first (each loan's in the order they were booked).

    Raises:
        InvalidTypeError: `books` is not a mapping of loans and lines.
        InvalidValueError: a bad option.

    Examples:
        >>> from datetime import date
        >>> from microloan import Loan, Money, Rate
        >>> a = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
        ...                     start=date(2026, 1, 1), maturity=date(2026, 1, 31))
        >>> entries = portfolio_journal({"A": a, "B": a}, until=date(2026, 1, 31))
        >>> trial_balance(entries, on=date(2026, 1, 31)).balance("interest_income")
        Money('30.00', 'CNY')
    """
    from microloan.lines import CreditLine  # noqa: PLC0415 - the wing reads the core lazily
    from microloan.loans import Loan  # noqa: PLC0415

    found = check_mapping("books", books, "a mapping of loan ids to loans and credit lines")
    day = check_date(until, "until")
    threshold, policy = check_policy(non_accrual_days, non_accrual)
    plan = _chart(chart)
    out: list[JournalEntry] = []
    for key, item in found.items():
        if isinstance(key, bool) or not isinstance(key, str | int):
            raise wrong_type("books", key, "a loan id (a str or an int)")
        if isinstance(item, Loan):
            out.extend(
                loan_entries(item, day, chart=plan, threshold=threshold, policy=policy, loan_id=key)
            )
        elif isinstance(item, CreditLine):
            out.extend(
                _line_entries(item, day, chart=plan, threshold=threshold, policy=policy, prefix=key)
            )
        else:
            raise wrong_type(f"books[{key!r}]", item, "a Loan or a CreditLine")
    out.sort(key=lambda e: e.on)
    return tuple(out)


@final
@in_context_methods
@attrs.frozen(kw_only=True)
class TrialBalance:
    """Debits and credits by account on a date: the books' check that debits equal credits.

    Merge the trial balances of parts of a portfolio with `+` (same date and chart).

    Attributes:
        on: the date (entries dated on or before it are included).
        chart: the chart whose `credit_normal` accounts sign `balance`.
        currency: the currency of every entry, `None` when there are none.
        cells: `(account, debit minor units, credit minor units)`, sorted by account.

    Examples:
        >>> from datetime import date
        >>> from microloan import Loan, Money, Rate
        >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
        ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
        >>> tb = trial_balance(loan.journal(until=date(2026, 1, 11)), on=date(2026, 1, 11))
        >>> tb.balanced, tb.balance("loans_receivable"), tb.balance("interest_income")
        (True, Money('1000.00', 'CNY'), Money('5.00', 'CNY'))
    """

    on: date
    chart: ChartOfAccounts = attrs.field(factory=ChartOfAccounts)
    currency: str | None = None
    cells: tuple[tuple[str, int, int], ...] = ()

    def __attrs_post_init__(self) -> None:
        check_date(self.on, "on")
        if not isinstance(self.chart, ChartOfAccounts):
            raise wrong_type("chart", self.chart, "a ChartOfAccounts")
        if self.currency is not None:
            minor_unit_places(self.currency)
        if not isinstance(self.cells, tuple):
            raise wrong_type("cells", self.cells, "a tuple of (account, debit, credit)")
        accounts = set(attrs.astuple(self.chart))
        previous = ""
        for i, cell in enumerate(self.cells):
            field = f"cells[{i}]"
            if not isinstance(cell, tuple) or len(cell) != 3:
                raise wrong_type(field, cell, "an (account, debit, credit) triple")
            account, debit, credit = cell
            if account not in accounts:
                raise invalid(field, cell, "names no account of the chart")
            if account <= previous:
                raise invalid(field, cell, "is out of order: accounts are sorted and unique")
            check_int(f"{field}.debit", debit, minimum=0)
            check_int(f"{field}.credit", credit, minimum=0)
            previous = account

    def _money(self, units: int) -> Money:
        return Money.from_minor_units(units, self.currency or "CNY")

    @property
    def accounts(self) -> tuple[str, ...]:
        """The accounts with entries, sorted."""
        return tuple(c[0] for c in self.cells)

    @property
    def total_debits(self) -> Money:
        """The sum of all debits."""
        return self._money(sum(c[1] for c in self.cells))

    @property
    def total_credits(self) -> Money:
        """The sum of all credits."""
        return self._money(sum(c[2] for c in self.cells))

    @property
    def balanced(self) -> bool:
        """Whether debits equal credits, to the minor unit."""
        return sum(c[1] for c in self.cells) == sum(c[2] for c in self.cells)

    def debits(self, account: str) -> Money:
        """The debits to `account` (zero for an account with no entries)."""
        return self._money(sum(c[1] for c in self.cells if c[0] == account))

    def credits(self, account: str) -> Money:
        """The credits to `account`."""
        return self._money(sum(c[2] for c in self.cells if c[0] == account))

    def balance(self, account: str) -> Money:
        """The balance of `account` on its normal side.

        Debits less credits for an asset or expense; credits less debits for an account
        in the chart's `credit_normal` (liabilities, income, the allowance).

        Examples:
            >>> from datetime import date
            >>> from microloan import Loan, Money, Rate
            >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
            ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
            >>> tb = trial_balance(loan.journal(until=date(2026, 1, 5)), on=date(2026, 1, 5))
            >>> tb.balance("cash"), tb.balance("interest_receivable")
            (Money('-1000.00', 'CNY'), Money('2.00', 'CNY'))
        """
        if not isinstance(account, str):
            raise wrong_type("account", account, "an account name (a str)")
        net = self.debits(account) - self.credits(account)
        return -net if account in self.chart.credit_normal else net

    def as_rows(self) -> list[dict[str, object]]:
        """One row per account: `account`, `debit`, `credit`, `balance`."""
        return [
            {
                "account": a,
                "debit": self._money(d),
                "credit": self._money(c),
                "balance": self.balance(a),
            }
            for a, d, c in self.cells
        ]

    def __add__(self, other: object) -> TrialBalance:
        if not isinstance(other, TrialBalance):
            return NotImplemented
        if (other.on, other.chart) != (self.on, self.chart):
            raise invalid("other", other.on, "is a trial balance of another date or chart")
        if self.currency and other.currency and self.currency != other.currency:
            raise CurrencyMismatchError(
                f"currency: cannot combine {self.currency} with {other.currency}"
            )
        merged: dict[str, list[int]] = {a: [d, c] for a, d, c in self.cells}
        for a, d, c in other.cells:
            cell = merged.setdefault(a, [0, 0])
            cell[0] += d
            cell[1] += c
        return attrs.evolve(
            self,
            currency=self.currency or other.currency,
            cells=tuple((a, d, c) for a, (d, c) in sorted(merged.items())),
        )

    def __radd__(self, other: object) -> TrialBalance:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented


@in_context
def trial_balance(
    entries: Iterable[JournalEntry],
    *,
    on: date,
    chart: ChartOfAccounts | None = None,
) -> TrialBalance:
    """Add up `entries` dated on or before `on` by account.

    Args:
        entries: journal entries (from a loan's, a line's or a portfolio's journal).
        on: the date of the trial balance (end of day).
        chart: the chart whose credit-normal accounts sign the balances (default names).

    Returns:
        The [`TrialBalance`][microloan.TrialBalance].

    Raises:
        InvalidTypeError: an entry is not a `JournalEntry`.
        CurrencyMismatchError: entries in two currencies.

    Examples:
        >>> from datetime import date
        >>> from microloan import Loan, Money, Rate
        >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
        ...                        start=date(2026, 1, 1), maturity=date(2026, 1, 31))
        >>> loan = loan.repay(Money("1015"), on=date(2026, 1, 31))
        >>> tb = trial_balance(loan.journal(until=date(2026, 1, 31)), on=date(2026, 1, 31))
        >>> tb.balanced, tb.balance("loans_receivable"), tb.balance("cash")
        (True, Money('0.00', 'CNY'), Money('15.00', 'CNY'))
    """
    day = check_date(on, "on")
    plan = _chart(chart)
    cells: dict[str, list[int]] = {}
    currency: str | None = None
    for index, entry in enumerate(
        check_iterable("entries", entries, "an iterable of JournalEntry, such as a list")
    ):
        if not isinstance(entry, JournalEntry):
            raise wrong_type(f"entries[{index}]", entry, "a JournalEntry")
        if entry.on > day:
            continue
        units = entry.amount.minor_units
        if currency is None:
            currency = entry.amount.currency
        elif entry.amount.currency != currency:
            raise CurrencyMismatchError(
                f"currency: entries[{index}] is in {entry.amount.currency}; the others in {currency}"
            )
        cells.setdefault(entry.debit, [0, 0])[0] += units
        cells.setdefault(entry.credit, [0, 0])[1] += units
    return TrialBalance(
        on=day,
        chart=plan,
        currency=currency,
        cells=tuple((a, d, c) for a, (d, c) in sorted(cells.items())),
    )
