"""The ledger as rows: every transaction with its allocations, as plain values for a SQL table.

[`Loan.ledger_rows`][microloan.Loan.ledger_rows] and
[`CreditLine.ledger_rows`][microloan.CreditLine.ledger_rows] flatten a loan's
(or a line's) history into [`LedgerRow`][microloan.LedgerRow]s: one row per
allocation component per transaction, each field a `str`, `int`, `bool`,
`datetime.date`, `Decimal` or `None`, which every DB driver accepts
(`row.as_dict()` is a ready parameter mapping). A `SUM` over the rows gives
back the library's figures to the cent.

The rules (the how-to "Store loans in PostgreSQL or SQLite" shows them at work):

- **Signs.** Every amount is positive but two: the credit a credit application
  uses (component `"credit"`, negative: money leaves the credit held) and the
  rows of a reversal (each row of the reversed transaction again, negated).
  So `SUM(amount)` over the repayment and credit rows is the money paid in,
  and over the `"credit"` rows the credit held.
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
- **Journal entries join later.** `source` says which part of the library a
  row comes from; today every row is `"servicing"` (a loan's transactions). The
  double-entry journal of the accounting work will add its own source value,
  its entries naming the transaction they post by the same `number` (and
  `drawdown`, on a line).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Literal, final

import attrs

from microloan._validators import check_date, check_int, option
from microloan.errors import invalid, wrong_type
from microloan.loans import Loan, LoanComponent, Transaction, TransactionKind
from microloan.money import Money

LedgerRowKind = Literal["disbursement", TransactionKind]
"""What the transaction of a ledger row is: `"disbursement"`, the money lent, or one of
a loan's [`TransactionKind`][microloan.TransactionKind]s."""

LedgerRowComponent = Literal[LoanComponent, "credit", "balance"]
"""What a ledger row's amount is: a loan's [`LoanComponent`][microloan.LoanComponent]s
(`"principal"`, `"interest"`, `"fees"`, `"penalty"`), `"credit"` (money held for the
borrower: put in by a repayment's excess, taken out by a credit application) or
`"balance"` (the whole balance a write-off wrote off)."""

LedgerRowSource = Literal["servicing"]
"""Which part of the library a ledger row comes from: `"servicing"`, the transactions of
a loan. The accounting journal's entries will be a second source."""


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


def _check_flag(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, bool):
        raise wrong_type(attribute.name, value, "a bool")


@final
@attrs.frozen(kw_only=True)
class LedgerRow:
    """One row of a loan's ledger: one allocation component of one transaction, in plain values.

    Every field is a `str`, `int`, `bool`, `datetime.date`, `Decimal` or `None`,
    named as a SQL column can be named without quoting (hence `value_date`:
    `ON` is a reserved word of SQL). [`as_dict`][microloan.LedgerRow.as_dict]
    gives them as a mapping for a driver's named parameters. Build rows with
    [`Loan.ledger_rows`][microloan.Loan.ledger_rows] or
    [`CreditLine.ledger_rows`][microloan.CreditLine.ledger_rows].

    Attributes:
        sequence: the row's place in its loan's (or line's) ledger, from 1: value-date
            order, each transaction's rows together, in the order they were applied.
        number: the [`Transaction.number`][microloan.Transaction.number] on its loan;
            0 for what the loan records itself (the disbursement, a credit application)
            and for a line's own credit. On a line, `(drawdown, number)` names a
            transaction.
        kind: the [`LedgerRowKind`][microloan.LedgerRowKind].
        value_date: the transaction's value date (`Transaction.on`); None only for a
            line's own credit, which the line holds without a date.
        drawdown: on a line, the index of the drawdown in `CreditLine.drawdowns`
            (None on a loan's own rows and for the line's credit).
        installment: the installment the amount went to (None for fees, credit, a
            write-off and the disbursement).
        fee: the transaction number of the fee the amount went to, or of the fee
            charged (None otherwise).
        component: the [`LedgerRowComponent`][microloan.LedgerRowComponent].
        amount: the amount, with the currency's places; negative for the credit a
            credit application used and for the rows of a reversal.
        minor_units: `amount` as a whole number of minor units (fen, cents).
        currency: the ISO 4217 code.
        prepayment: whether the amount was paid before its due date.
        reversal: whether the row undoes a reversed transaction's row (the same
            row, negated).
        source: the [`LedgerRowSource`][microloan.LedgerRowSource].

    Raises:
        InvalidValueError: a field out of its range, or `minor_units` that is not
            `amount` in minor units.
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
        LedgerRow(sequence=2, number=1, kind='repayment', value_date=datetime.date(2026, 1, 11), drawdown=None, installment=1, fee=None, component='interest', amount=Decimal('5.00'), minor_units=500, currency='CNY', prepayment=True, reversal=False, source='servicing')
    """

    sequence: int = attrs.field(validator=_check_sequence)
    number: int = attrs.field(validator=_check_number)
    kind: LedgerRowKind = attrs.field(validator=option(LedgerRowKind))
    value_date: date | None = attrs.field(validator=_check_value_date)
    drawdown: int | None = attrs.field(default=None, validator=_optional_count(0))
    installment: int | None = attrs.field(default=None, validator=_optional_count(1))
    fee: int | None = attrs.field(default=None, validator=_optional_count(1))
    component: LedgerRowComponent = attrs.field(validator=option(LedgerRowComponent))
    amount: Decimal = attrs.field(validator=_check_amount)
    minor_units: int = attrs.field(validator=_check_number_of_units)
    currency: str = attrs.field(default="CNY", validator=_check_currency)
    prepayment: bool = attrs.field(default=False, validator=_check_flag)
    reversal: bool = attrs.field(default=False, validator=_check_flag)
    source: LedgerRowSource = attrs.field(default="servicing", validator=option(LedgerRowSource))

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
        parts = [("fees", transaction.amount, None, transaction.number, False)]
    elif kind == "write_off":
        parts = [("balance", transaction.amount, None, None, False)]
    elif kind == "repayment" and transaction.excess.amount:
        parts.append(("credit", transaction.excess, None, None, False))
    elif kind == "credit":
        parts.append(("credit", -transaction.amount, None, None, False))
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


def line_credit_row(sequence: int, credit: Money, *, on: date | None = None) -> LedgerRow:
    """The row of a line's own credit (a repayment beyond everything owed), dated `on`."""
    return LedgerRow(
        sequence=sequence,
        number=0,
        kind="repayment",
        value_date=on,
        component="credit",
        amount=credit.round().amount,
        minor_units=credit.minor_units,
        currency=credit.currency,
    )
