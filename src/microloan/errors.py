"""The exceptions microloan raises.

Every exception derives from [`MicroloanError`][microloan.MicroloanError], so a
service can catch everything the library raises in one clause; each subclass
also derives from the built-in exception that fits, so code written against
`ValueError` or `TypeError` keeps working.

Messages are built in one place ([`invalid`][microloan.errors.invalid] and
friends) and always name the field and the offending value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import final


class MicroloanError(Exception):
    """The root of every exception microloan raises.

    Examples:
        >>> from microloan import Money, MicroloanError
        >>> try:
        ...     Money("abc")
        ... except MicroloanError as exc:
        ...     print(exc)
        amount: 'abc' is not a decimal number
    """

    field: str | None = None
    """The field at fault (`amount`, `postings[0].amount`) when the message names one."""


@final
class InvalidValueError(MicroloanError, ValueError):
    """A value has the right type but is out of range or malformed.

    Also a `ValueError`.

    Examples:
        >>> from microloan import Money, InvalidValueError
        >>> isinstance(InvalidValueError("x"), ValueError)
        True
    """


@final
class InvalidTypeError(MicroloanError, TypeError):
    """A value has a type the library does not accept (a `float` for money, say).

    Also a `TypeError`.

    Examples:
        >>> from microloan import Money, InvalidTypeError
        >>> try:
        ...     Money(1.5)
        ... except InvalidTypeError as exc:
        ...     print(exc)
        amount: 1.5 is a float; pass a str or Decimal such as '1.5' (floats cannot hold most cent amounts exactly)
    """


@final
class CurrencyMismatchError(MicroloanError, ValueError):
    """Two amounts in different currencies were combined or compared.

    Also a `ValueError`.

    Examples:
        >>> from microloan import Money, CurrencyMismatchError
        >>> try:
        ...     Money(1, "CNY") + Money(1, "USD")
        ... except CurrencyMismatchError as exc:
        ...     print(exc)
        currency: cannot combine CNY with USD
    """


@final
class ConvergenceError(MicroloanError, ArithmeticError):
    """An iterative computation (an IRR, say) has no answer for its input.

    Also an `ArithmeticError`. Raised when cash flows have no sign change, or
    no root can be bracketed, rather than returning a wrong root.

    Examples:
        >>> from microloan import ConvergenceError
        >>> issubclass(ConvergenceError, ArithmeticError)
        True
    """


# -- the errors of servicing, credit lines, products and funding ---------------------


@final
class ProductViolationError(MicroloanError, ValueError):
    """A requested loan or line breaks one or more bounds of its product.

    Also a `ValueError`. The message lists every violation, one per line;
    `violations` holds them as a tuple.

    Examples:
        >>> from microloan import LoanProduct, Money, ProductViolationError
        >>> try:
        ...     LoanProduct.installment_loan().check(Money("100"), term=7)
        ... except ProductViolationError as exc:
        ...     len(exc.violations)
        2
    """

    def __init__(self, violations: Iterable[str]) -> None:
        """Keep the violations and list them in the message."""
        self.violations: tuple[str, ...] = tuple(violations)
        super().__init__("; ".join(self.violations))


class TransactionNotFoundError(MicroloanError, LookupError):
    """The transaction to reverse is not an active transaction of this loan.

    Also a `LookupError`. Raised for a transaction of another loan, or one
    already reversed.

    Examples:
        >>> from microloan import TransactionNotFoundError
        >>> issubclass(TransactionNotFoundError, LookupError)
        True
    """


class LineError(MicroloanError, ValueError):
    """The root of the refusals of a credit line; also a `ValueError`.

    Examples:
        >>> from microloan import LineError, LineFrozenError
        >>> issubclass(LineFrozenError, LineError), issubclass(LineError, ValueError)
        (True, True)
    """


@final
class LineFrozenError(LineError):
    """The line is frozen: no draws (and no second freeze) until it is unfrozen.

    Examples:
        >>> from microloan import LineFrozenError
        >>> issubclass(LineFrozenError, ValueError)
        True
    """


@final
class LineClosedError(LineError):
    """The line is closed: no draws, limit changes or freezes, ever again.

    Examples:
        >>> from microloan import LineClosedError
        >>> issubclass(LineClosedError, ValueError)
        True
    """


@final
class LineExpiredError(LineError):
    """The line is past its end date, or lapsed unused past its use-by date.

    Examples:
        >>> from microloan import LineExpiredError
        >>> issubclass(LineExpiredError, ValueError)
        True
    """


@final
class LineNotYetValidError(LineError):
    """The date is before the line opens.

    Examples:
        >>> from microloan import LineNotYetValidError
        >>> issubclass(LineNotYetValidError, ValueError)
        True
    """


@final
class InsufficientCreditError(LineError):
    """The amount is more than the credit available on the line.

    Examples:
        >>> from microloan import InsufficientCreditError
        >>> issubclass(InsufficientCreditError, ValueError)
        True
    """


@final
class LineAlreadyDrawnError(LineError):
    """A fixed line has been drawn already: it pays out once.

    Examples:
        >>> from microloan import LineAlreadyDrawnError
        >>> issubclass(LineAlreadyDrawnError, ValueError)
        True
    """


@final
class DrawdownNotFoundError(MicroloanError, LookupError):
    """The named drawdown is not on this line (an index out of range, or a foreign loan).

    Also a `LookupError`.

    Examples:
        >>> from microloan import DrawdownNotFoundError
        >>> issubclass(DrawdownNotFoundError, LookupError)
        True
    """


@final
class SerializationError(MicroloanError, ValueError):
    """A document cannot be read, or a value cannot be written; names the path of the bad field.

    Also a `ValueError`.

    Attributes:
        path: where the bad value is, e.g. `"installments[3].principal.amount"`;
            `""` for the document as a whole.
        reason: what is wrong with it, in words.

    Examples:
        >>> from microloan import SerializationError, from_dict
        >>> try:
        ...     from_dict({"type": "Money", "version": 1, "amount": 1.5, "currency": "CNY"})
        ... except SerializationError as exc:
        ...     print(exc)
        ...     print(exc.path)
        amount: expected a decimal string such as '1.50', got number 1.5
        amount
    """

    def __init__(self, path: str, reason: str) -> None:
        """Record the path and the reason (the message is `path: reason`)."""
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path or '(document)'}: {self.reason}"


@final
class InvalidRecordError(MicroloanError, ValueError):
    """A portfolio record is malformed; the message names the record (loan id or position).

    Also a `ValueError`. Raised for negative balances, a snapshot before the
    disbursement, a missing field, a field of the wrong type, or a record that
    contradicts another (one loan disbursed in two months, two currencies).

    Attributes:
        loan_id: the record's loan id, `None` if it has none.
        index: the record's position in the input, when known.
        reason: what is wrong, without the record's name.

    Examples:
        >>> from datetime import date
        >>> from microloan import InvalidRecordError, LoanRecord, Money
        >>> try:
        ...     LoanRecord(loan_id="L-7", disbursed=date(2026, 1, 5), principal=Money(1000),
        ...                outstanding=Money(-1), days_past_due=0)
        ... except InvalidRecordError as exc:
        ...     print(exc)
        record 'L-7': outstanding: Money('-1', 'CNY') must not be negative
    """

    def __init__(self, loan_id: object, message: str, *, index: int | None = None) -> None:
        """Name the record by its loan id and/or its position, and say what is wrong."""
        self.loan_id = loan_id
        self.index = index
        self.reason = message
        if index is None:
            where = f"record {loan_id!r}"
        elif loan_id is None:
            where = f"records[{index}]"
        else:
            where = f"records[{index}] (loan {loan_id!r})"
        super().__init__(f"{where}: {message}")


@final
class FundingLimitError(MicroloanError, ValueError):
    """A drawdown would breach the lender's funding limits; the message lists every breach.

    Also a `ValueError`; `breaches` holds the messages as a tuple.

    Examples:
        >>> from microloan import FundingLimitError
        >>> issubclass(FundingLimitError, ValueError)
        True
    """

    def __init__(self, breaches: tuple[str, ...] | list[str]) -> None:
        """Keep the breaches and list them in the message."""
        self.breaches: tuple[str, ...] = tuple(breaches)
        super().__init__("; ".join(self.breaches))


@final
class MissingDependencyError(MicroloanError, ImportError):
    """A feature needs an optional package that is not installed; says which extra brings it.

    Also an `ImportError`. Raised when the feature is used, never on `import microloan`:
    the optional packages are imported only inside the functions that need them.

    Attributes:
        feature: what was asked for, e.g. `"Schedule.plot"`.
        package: the missing package, e.g. `"matplotlib"`.
        extra: the extra that installs it, e.g. `"plot"` for `pip install 'microloan[plot]'`.

    Examples:
        >>> from microloan import MissingDependencyError
        >>> print(MissingDependencyError("Schedule.plot", package="matplotlib", extra="plot"))
        Schedule.plot needs matplotlib, which is not installed: pip install 'microloan[plot]'
        >>> issubclass(MissingDependencyError, ImportError)
        True
    """

    def __init__(self, feature: str, *, package: str, extra: str) -> None:
        """Name the feature, the missing package and the extra that installs it."""
        self.feature = feature
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs {package}, which is not installed: pip install 'microloan[{extra}]'"
        )


# -- internal signals: never escape a public call -------------------------------------


class CommandLineError(Exception):
    """A user error on the command line: printed as one line, exit status 2.

    Internal to the `microloan` command: `main` catches it, so it never escapes.
    """


class DocumentFailure(Exception):  # noqa: N818 - an internal signal, never escapes serialization
    """A reason and the path to it, gathered innermost first while the stack unwinds.

    Internal to serialization: every public call turns it into a
    [`SerializationError`][microloan.SerializationError].
    """

    def __init__(self, reason: str) -> None:
        """Keep the reason; the path is added segment by segment on the way out."""
        super().__init__(reason)
        self.reason = reason
        self.segments: list[str | int] = []

    def at(self, segment: str | int) -> DocumentFailure:
        """Add one path segment (a key or an index) and return the failure."""
        self.segments.append(segment)
        return self

    def error(self) -> SerializationError:
        """The public error: the path rendered as `a.b[0]["c d"]`, and the reason."""
        return SerializationError(render_path(reversed(self.segments)), self.reason)


def render_path(segments: Iterable[str | int]) -> str:
    """Render path segments as JSON-path text: `installments[3].principal`.

    Examples:
        >>> render_path(["installments", 3, "principal", "a key"])
        'installments[3].principal["a key"]'
    """
    text = ""
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif segment.isidentifier():
            text += f".{segment}" if text else segment
        else:
            text += f"[{json.dumps(segment)}]"
    return text


_SEGMENT = re.compile(r"\[(\d+)\]|\.?([A-Za-z_]\w*)")


def parse_path(text: str) -> list[str | int] | None:
    """The segments of a field path such as `postings[0].amount`, or None if it is not one.

    Examples:
        >>> parse_path("installments[3].principal")
        ['installments', 3, 'principal']
        >>> parse_path("not a path") is None
        True
    """
    segments: list[str | int] = []
    position = 0
    while position < len(text):
        match = _SEGMENT.match(text, position)
        if match is None or (position == 0 and match.group(0).startswith((".", "["))):
            return None
        index, name = match.groups()
        segments.append(int(index) if index is not None else name)
        position = match.end()
    return segments or None


def within(error: MicroloanError, path: str) -> MicroloanError:
    """The same refusal, located inside `path`: `amount: ...` becomes `postings[0].amount: ...`.

    The error keeps its class when that class is built from a message alone.

    Examples:
        >>> print(within(invalid("amount", -5, "must be positive"), "postings[0]"))
        postings[0].amount: -5 must be positive
    """
    text = str(error)
    if error.field is not None and text.startswith(f"{error.field}: "):
        field = f"{path}.{error.field}"
        text = f"{field}: {text[len(error.field) + 2 :]}"
    else:
        field, text = path, f"{path}: {text}"
    cls = type(error)
    located = cls(text) if cls.__init__ is Exception.__init__ else InvalidValueError(text)
    located.field = field
    return located


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def invalid(field: str, value: object, reason: str) -> InvalidValueError:
    """Build an [`InvalidValueError`][microloan.InvalidValueError] naming field and value.

    Args:
        field: the name of the argument or attribute at fault.
        value: the offending value (shown with `repr`, shortened past 80 characters).
        reason: what is wrong with it, in words.

    Returns:
        The exception, for the caller to raise.

    Examples:
        >>> print(invalid("term", 0, "must be at least 1"))
        term: 0 must be at least 1
    """
    error = InvalidValueError(f"{field}: {_show(value)} {reason}")
    error.field = field
    return error


def wrong_type(field: str, value: object, expected: str) -> InvalidTypeError:
    """Build an [`InvalidTypeError`][microloan.InvalidTypeError] naming field, value and type.

    Args:
        field: the name of the argument or attribute at fault.
        value: the offending value.
        expected: what was expected, in words.

    Returns:
        The exception, for the caller to raise.

    Examples:
        >>> print(wrong_type("rate", "18%", "a Rate"))
        rate: '18%' is a str; expected a Rate
    """
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    error = InvalidTypeError(f"{field}: {_show(value)} is {article} {name}; expected {expected}")
    error.field = field
    return error
