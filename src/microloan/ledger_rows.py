"""The ledger as rows: every transaction with its allocations, and the journal, as plain values.

[`Loan.ledger_rows`][microloan.Loan.ledger_rows] and
[`CreditLine.ledger_rows`][microloan.CreditLine.ledger_rows] flatten a loan's
(or a line's) history into [`LedgerRow`][microloan.LedgerRow]s: one row per
allocation component per transaction, each field a `str`, `int`, `bool`,
`datetime.date`, `Decimal` or `None`, which every DB driver accepts
(`row.as_dict()` is a ready parameter mapping). A `SUM` over the rows gives
back the library's figures to the cent. With `journal=True` the double-entry
journal ([`Loan.journal`][microloan.Loan.journal]) follows, one row per
[`JournalEntry`][microloan.JournalEntry].

The rules (the how-to "Store loans in PostgreSQL or SQLite" shows them at work):

- **Signs.** Every amount is positive but three: the credit a credit application
  uses and the credit a refund pays back (component `"credit"`, negative: money
  leaves the credit held) and the rows of a reversal (each row of the reversed
  transaction again, negated). So `SUM(amount)` over the repayment, recovery and
  credit rows is the money paid in, over the `"credit"` rows the credit held, and
  over the refund rows, negated, the credit refunded.
- **Reversals are negated rows, not a flag.** A reversed transaction keeps its
  rows as they stood, and each is repeated with its amount negated and
  `reversal` true, on the same value date (a reversal undoes the transaction
  as if it never happened: the loan is rebuilt without it). Any `SUM`, with any
  filter on date, kind, component or installment, then counts a bounced
  payment zero times without a `WHERE NOT reversed` to forget; the history
  stays in the table, as a storno entry stays in a book of account.
- **Money twice.** `amount` is a `Decimal` with the currency's places (for a
  `NUMERIC` column) and `minor_units` the same amount as an `int` (for an
  `INTEGER` column where a database has no exact decimal, as SQLite).
- **Two sources.** `source` says which part of the library a row comes from:
  `"servicing"`, the loan's transactions (above), or `"journal"`, the entries of
  its double-entry journal. A journal row is its entry in plain values: the
  accounts `debit` and `credit` (None on servicing rows), the amount, always
  positive (a reversal's entry is the original with the accounts swapped, as the
  journal books it, so `SUM(amount)` per account is the trial balance's debits and
  credits), and the transaction it posts by the same `number` and `kind` as its
  servicing rows (and `drawdown`, on a line); an entry booked by the loan itself
  has number 0 and the kind `"disbursement"`, `"accrual"`, `"non_accrual"` or
  `"cure"`. A journal row has no `component` (its accounts say what the amount is),
  installment or fee; a reversal's two entries have `reversal` false, then true.
  Journal rows follow the servicing rows, so a loan's servicing rows are the same,
  `sequence` included, with or without the journal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, final

import attrs

from microloan._validators import check_date, check_int, option
from microloan.errors import invalid, wrong_type
from microloan.loans import Loan, LoanComponent, Transaction, TransactionKind
from microloan.money import Money

if TYPE_CHECKING:
    from microloan.accounting import ChartOfAccounts, JournalEntry, NonAccrualPolicy
    from microloan.lines import CreditLine

LedgerRowKind = Literal["disbursement", TransactionKind, "accrual", "non_accrual", "cure"]
"""What the transaction of a ledger row is: `"disbursement"`, the money lent, or one of
a loan's [`TransactionKind`][microloan.TransactionKind]s; on journal rows also what the
loan books of itself, without a transaction: `"accrual"` (a day's income earned),
`"non_accrual"` (accrued income moved off balance) and `"cure"` (moved back)."""

LedgerRowComponent = Literal[LoanComponent, "credit", "balance"]
"""What a ledger row's amount is: a loan's [`LoanComponent`][microloan.LoanComponent]s
(`"principal"`, `"interest"`, `"fees"`, `"penalty"`), `"credit"` (money held for the
borrower: put in by a repayment's excess, taken out by a credit application or a refund) or
`"balance"` (the whole balance a write-off wrote off)."""

LedgerRowSource = Literal["servicing", "journal"]
"""Which part of the library a ledger row comes from: `"servicing"`, the transactions of
a loan (with their allocations), or `"journal"`, the entries of its double-entry journal
(`ledger_rows(journal=True)`)."""


def _check_sequence(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    check_int("sequence", value, minimum=1)


def _check_number(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    check_int("number", value, minimum=0)


def _optional_count(minimum: int) -> Any:  # noqa: ANN401 - an attrs validator
    def check(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
        if value is not None:
            check_int(attribute.name, value, minimum=minimum)

    return check


def _check_value_date(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if value is not None:
        check_date(value, "value_date")


def _check_amount(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, Decimal):
        raise wrong_type("amount", value, "a Decimal")
    if not value.is_finite():
        raise invalid("amount", value, "must be a finite number")


def _check_currency(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    Money.zero(value)  # refuses anything but a known ISO 4217 code


def _check_number_of_units(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    check_int("minor_units", value)


def _optional_account(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise wrong_type(attribute.name, value, "an account name (a str)")
    if not value.strip():
        raise invalid(attribute.name, value, "must not be empty")


def _optional_component(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        option(LedgerRowComponent)(instance, attribute, value)


def _check_flag(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, bool):
        raise wrong_type(attribute.name, value, "a bool")


@final
@attrs.frozen(kw_only=True)
class LedgerRow:
    """One row of a loan's ledger: one allocation component of one transaction, or one journal entry.

    Every field is a `str`, `int`, `bool`, `datetime.date`, `Decimal` or `None`,
    named as a SQL column can be named without quoting (hence `value_date`:
    `ON` is a reserved word of SQL). [`as_dict`][microloan.LedgerRow.as_dict]
    gives them as a mapping for a driver's named parameters. Build rows with
    [`Loan.ledger_rows`][microloan.Loan.ledger_rows] or
    [`CreditLine.ledger_rows`][microloan.CreditLine.ledger_rows]; with
    `journal=True` they add the journal's entries as rows of source `"journal"`.

    Attributes:
        sequence: the row's place in its loan's (or line's) ledger, from 1: value-date
            order, each transaction's rows together, in the order they were applied.
        number: the [`Transaction.number`][microloan.Transaction.number] on its loan;
            0 for what the loan records itself (the disbursement, a credit application)
            and for a line's own credit. On a line, `(drawdown, number)` names a
            transaction.
        kind: the [`LedgerRowKind`][microloan.LedgerRowKind]: of the transaction, and
            on a journal row of what its entry books (the transaction's kind, or
            `"disbursement"`, `"accrual"`, `"non_accrual"`, `"cure"`).
        value_date: the transaction's (or entry's) value date; None only in a row
            of a line's own credit written before lines dated their credit.
        drawdown: on a line, the index of the drawdown in `CreditLine.drawdowns`
            (None on a loan's own rows and for the line's credit).
        installment: the installment the amount went to (None for fees, credit, a
            write-off and the disbursement).
        fee: the transaction number of the fee the amount went to, or of the fee
            charged (None otherwise).
        component: the [`LedgerRowComponent`][microloan.LedgerRowComponent]; None on a
            journal row (its accounts say what the amount is).
        amount: the amount, with the currency's places; negative for the credit a
            credit application used and for the servicing rows of a reversal; always
            positive on a journal row.
        minor_units: `amount` as a whole number of minor units (fen, cents).
        currency: the ISO 4217 code.
        prepayment: whether the amount was paid before its due date.
        reversal: whether the row undoes a reversed transaction's row (the same
            row, negated; on a journal row, the entry with its accounts swapped).
        source: the [`LedgerRowSource`][microloan.LedgerRowSource].
        debit: on a journal row, the account debited (None on a servicing row).
        credit: on a journal row, the account credited (None on a servicing row).

    Raises:
        InvalidValueError: a field out of its range, `minor_units` that is not
            `amount` in minor units, a servicing row without a component or with
            accounts, or a journal row without both accounts, with a component or
            with an amount that is not positive.
        InvalidTypeError: a field of the wrong type.

    Examples:
        >>> from datetime import date
        >>> from microloan import Loan, Money, Rate
        >>> loan = Loan.open_ended(principal=Money("1000"), rate=Rate.daily("0.05%"),
        ...                        start=date(2026, 1, 1), maturity=date(2026, 3, 2))
        >>> rows = loan.repay(Money("300"), on=date(2026, 1, 11)).ledger_rows()
        >>> [(r.kind, r.component, str(r.amount), r.minor_units) for r in rows]
        [('disbursement', 'principal', '1000.00', 100000), ('repayment', 'interest', '5.00', 500), ('repayment', 'principal', '295.00', 29500)]
        >>> rows[1]
        LedgerRow(sequence=2, number=1, kind='repayment', value_date=datetime.date(2026, 1, 11), drawdown=None, installment=1, fee=None, component='interest', amount=Decimal('5.00'), minor_units=500, currency='CNY', prepayment=True, reversal=False, source='servicing', debit=None, credit=None)
        >>> booked = loan.repay(Money("300"), on=date(2026, 1, 11)).ledger_rows(journal=True)
        >>> [(r.sequence, r.number, r.kind, r.debit, r.credit, str(r.amount))
        ...  for r in booked if r.source == "journal" and r.kind != "accrual"]
        [(4, 0, 'disbursement', 'loans_receivable', 'cash', '1000.00'), (15, 1, 'repayment', 'cash', 'interest_receivable', '5.00'), (16, 1, 'repayment', 'cash', 'loans_receivable', '295.00')]
    """

    sequence: int = attrs.field(validator=_check_sequence)
    number: int = attrs.field(validator=_check_number)
    kind: LedgerRowKind = attrs.field(validator=option(LedgerRowKind))
    value_date: date | None = attrs.field(validator=_check_value_date)
    drawdown: int | None = attrs.field(default=None, validator=_optional_count(0))
    installment: int | None = attrs.field(default=None, validator=_optional_count(1))
    fee: int | None = attrs.field(default=None, validator=_optional_count(1))
    component: LedgerRowComponent | None = attrs.field(default=None, validator=_optional_component)
    amount: Decimal = attrs.field(validator=_check_amount)
    minor_units: int = attrs.field(validator=_check_number_of_units)
    currency: str = attrs.field(default="CNY", validator=_check_currency)
    prepayment: bool = attrs.field(default=False, validator=_check_flag)
    reversal: bool = attrs.field(default=False, validator=_check_flag)
    source: LedgerRowSource = attrs.field(default="servicing", validator=option(LedgerRowSource))
    debit: str | None = attrs.field(default=None, validator=_optional_account)
    credit: str | None = attrs.field(default=None, validator=_optional_account)

    def _check_source(self) -> None:
        """A servicing row has a component and no accounts; a journal row the reverse."""
        journal = self.source == "journal"
        if (self.component is None) != journal:
            reason = (
                "is for servicing rows: a journal row's accounts say what it is"
                if journal
                else "is required on a servicing row"
            )
            raise invalid("component", self.component, reason)
        for field in ("debit", "credit"):
            if (getattr(self, field) is None) == journal:
                reason = (
                    "is required on a journal row: its account"
                    if journal
                    else "is for journal rows: a servicing row names no account"
                )
                raise invalid(field, getattr(self, field), reason)
        if journal and self.amount <= 0:
            raise invalid("amount", self.amount, "must be positive on a journal row")

    def __attrs_post_init__(self) -> None:
        exact = Money.from_minor_units(self.minor_units, self.currency).amount
        if self.amount != exact:
            raise invalid(
                "minor_units",
                self.minor_units,
                f"is not amount {self.amount} in {self.currency} minor units ({exact})",
            )
        if self.amount.as_tuple().exponent != exact.as_tuple().exponent:
            raise invalid(
                "amount", self.amount, f"must have the places of {self.currency}: {exact}"
            )
        self._check_source()

    @property
    def money(self) -> Money:
        """The amount as [`Money`][microloan.Money].

        Examples:
            >>> from datetime import date
            >>> from decimal import Decimal
            >>> LedgerRow(sequence=1, number=0, kind="disbursement", value_date=date(2026, 1, 1),
            ...           component="principal", amount=Decimal("1000.00"), minor_units=100000).money
            Money('1000.00', 'CNY')
        """
        return Money.from_minor_units(self.minor_units, self.currency)

    def as_dict(self) -> dict[str, str | int | bool | date | Decimal | None]:
        """The fields by name: a parameter mapping for `INSERT ... VALUES (:sequence, ...)`.

        Returns:
            A new dict, one key per field, in the fields' order.

        Examples:
            >>> from datetime import date
            >>> from decimal import Decimal
            >>> row = LedgerRow(sequence=1, number=0, kind="disbursement",
            ...                 value_date=date(2026, 1, 1), component="principal",
            ...                 amount=Decimal("1000.00"), minor_units=100000)
            >>> row.as_dict()["minor_units"], list(row.as_dict())[:4]
            (100000, ['sequence', 'number', 'kind', 'value_date'])
            >>> list(row.as_dict())[-3:]
            ['source', 'debit', 'credit']
        """
        return {f.name: getattr(self, f.name) for f in attrs.fields(LedgerRow)}


# -- building rows (Loan.ledger_rows, CreditLine.ledger_rows) ------------------------


def _transaction_rows(transaction: Transaction, *, reversal: bool = False) -> list[dict[str, Any]]:
    """The rows of one transaction (without sequence), negated for a reversal."""
    kind = transaction.kind
    head: dict[str, Any] = {"number": transaction.number, "kind": kind}
    day = transaction.on
    parts: list[tuple[str, Money, int | None, int | None, bool]] = [
        (a.component, a.amount, a.installment, a.fee, a.prepayment) for a in transaction.allocations
    ]
    if kind == "fee":
        # a fee the loan charged itself (number 0) has no transaction to refer to
        parts = [("fees", transaction.amount, None, transaction.number or None, False)]
    elif kind == "write_off":
        parts = [("balance", transaction.amount, None, None, False)]
    elif kind == "repayment" and transaction.excess.amount:
        parts.append(("credit", transaction.excess, None, None, False))
    elif kind == "credit":
        parts.append(("credit", -transaction.amount, None, None, False))
    elif kind == "refund":  # money leaves the credit held, back to the borrower
        parts = [("credit", -transaction.amount, None, None, False)]
    sign = -1 if reversal else 1
    return [
        {
            **head,
            "value_date": day,
            "installment": installment,
            "fee": fee,
            "component": component,
            "minor_units": sign * money.minor_units,
            "currency": money.currency,
            "prepayment": prepayment,
            "reversal": reversal,
        }
        for component, money, installment, fee, prepayment in parts
    ]


def loan_rows(
    loan: Loan, transactions: Iterable[Transaction], undone: Iterable[Transaction]
) -> list[LedgerRow]:
    """The rows of `loan`: its disbursement, `transactions`, then each reversed one twice.

    Rows are in value-date order; a reversed transaction's rows (as posted, then
    negated) come after the active ones of its date.
    """
    disbursed: dict[str, Any] = {
        "number": 0,
        "kind": "disbursement",
        "value_date": loan.start,
        "installment": None,
        "fee": None,
        "component": "principal",
        "minor_units": loan.principal.minor_units,
        "currency": loan.currency,
        "prepayment": False,
        "reversal": False,
    }
    blocks: list[list[dict[str, Any]]] = [[disbursed]]
    blocks.extend(_transaction_rows(t) for t in transactions)
    blocks.extend([*_transaction_rows(t), *_transaction_rows(t, reversal=True)] for t in undone)
    blocks = [block for block in blocks if block]
    blocks.sort(key=lambda block: block[0]["value_date"])  # stable: the ledger's own order
    fields = [row for block in blocks for row in block]
    return [_row(sequence, fields=row) for sequence, row in enumerate(fields, start=1)]


def _row(sequence: int, *, fields: dict[str, Any]) -> LedgerRow:
    units: int = fields["minor_units"]
    return LedgerRow(
        sequence=sequence,
        amount=Money.from_minor_units(units, fields["currency"]).amount,
        **fields,
    )


def line_credit_row(
    sequence: int, credit: Money, *, on: date | None = None, refund: bool = False
) -> LedgerRow:
    """The row of a line's own credit (a repayment beyond everything owed), dated `on`.

    With `refund`, the row of a refund of that credit: kind `"refund"`, amount negated.
    """
    sign = -1 if refund else 1
    return LedgerRow(
        sequence=sequence,
        number=0,
        kind="refund" if refund else "repayment",
        value_date=on,
        component="credit",
        amount=sign * credit.round().amount,
        minor_units=sign * credit.minor_units,
        currency=credit.currency,
    )


def _entry_kind(entry: JournalEntry) -> str:
    """The row kind of a journal entry: its transaction's, else what the loan booked."""
    from microloan.accounting.accrual import AccrualEntry  # noqa: PLC0415 - the books' wing

    source = entry.source
    if isinstance(source, Transaction):
        return source.kind
    if isinstance(source, AccrualEntry):
        return "accrual"
    return entry.kind  # the disbursement and the non-accrual moves: the loan's own


def journal_rows(
    entries: Iterable[JournalEntry], *, first: int, drawdown: bool = False
) -> list[LedgerRow]:
    """The journal rows of `entries`, numbered from `first` (a line's: `drawdown` its loan_id)."""
    rows = []
    for sequence, entry in enumerate(entries, start=first):
        source = entry.source
        index = entry.loan_id if drawdown else None
        rows.append(
            LedgerRow(
                sequence=sequence,
                number=source.number if isinstance(source, Transaction) else 0,
                kind=_entry_kind(entry),  # type: ignore[arg-type]  # checked by LedgerRow
                value_date=entry.on,
                drawdown=index if isinstance(index, int) else None,
                amount=Money.from_minor_units(
                    entry.amount.minor_units, entry.amount.currency
                ).amount,
                minor_units=entry.amount.minor_units,
                currency=entry.amount.currency,
                reversal=entry.kind == "reversal",
                source="journal",
                debit=entry.debit,
                credit=entry.credit,
            )
        )
    return rows


def check_journal(value: object) -> bool:
    """The `journal` flag of `ledger_rows`, checked."""
    if not isinstance(value, bool):
        raise wrong_type("journal", value, "a bool")
    return value


def _until(rows: Iterable[LedgerRow], on: date | None, first: date) -> date:
    """The journal's last day: `on`, else the latest value date of the servicing rows."""
    if on is not None:
        return on
    return max((r.value_date for r in rows if r.value_date is not None), default=first)


def with_journal(
    account: Loan | CreditLine,
    rows: tuple[LedgerRow, ...],
    *,
    on: date | None,
    chart: ChartOfAccounts | None,
    non_accrual_days: int,
    non_accrual: NonAccrualPolicy,
) -> tuple[LedgerRow, ...]:
    """`rows`, then the journal of `account` to `on` (or its latest value date) as rows."""
    from microloan.accounting.accrual import check_reach  # noqa: PLC0415 - the books' wing

    if isinstance(account, Loan):
        until = _until(rows, on, account.start)
        check_reach(account, until, "on", until)
    else:
        until = _until(rows, on, account.opened)
        for loan in account.drawdowns:
            if loan.start <= until:
                check_reach(loan, until, "on", until)
    entries = account.journal(
        until, chart=chart, non_accrual_days=non_accrual_days, non_accrual=non_accrual
    )
    drawdown = not isinstance(account, Loan)
    return (*rows, *journal_rows(entries, first=len(rows) + 1, drawdown=drawdown))
