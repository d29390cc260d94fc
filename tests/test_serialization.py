"""Serialization: exact round trips for every public value object, strict and path-naming reads."""

from __future__ import annotations

import contextlib
import copy
import enum
import json
import pickle
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FailedHealthCheck, Unsatisfiable

import microloan
from microloan import (
    CURRENCY_MINOR_UNITS,
    SCHEMA_VERSION,
    Installment,
    InvalidTypeError,
    Loan,
    MicroloanError,
    Money,
    Rate,
    Schedule,
    SerializationError,
    bullet,
    from_dict,
    from_json,
    serializable_types,
    to_dict,
    to_json,
)
from tests.strategies import (
    any_money,
    any_rate,
    credit_lines,
    dates,
    hand_built_schedules,
    headed_junk,
    installments,
    json_junk,
    loans_with_history,
    strategy_for,
)
from tests.test_json_schema import assert_matches_schema


def assert_round_trips(value: object) -> None:
    """Dict and JSON round trips give an equal object of the same class, written identically,
    as a document its JSON Schema accepts."""
    data = to_dict(value)
    assert json.loads(json.dumps(data, allow_nan=False)) == data  # JSON-safe
    assert_matches_schema(data, type(value))
    back = from_dict(data)
    assert type(back) is type(value)
    assert back == value
    assert to_dict(back) == data  # decimal places and exponents kept, not just equal values
    assert from_json(to_json(value), type(value)) == value


# -- round trips -------------------------------------------------------------------


@given(any_money())
def test_money_round_trips_exactly_with_its_places(money: Money) -> None:
    """Money comes back equal, with the same currency and the same decimal exponent."""
    assert_round_trips(money)
    assert from_dict(to_dict(money), Money).amount.as_tuple() == money.amount.as_tuple()


@given(any_rate())
def test_rate_round_trips_exactly(rate: Rate) -> None:
    """A rate keeps its value (places included) and its unit."""
    assert_round_trips(rate)
    assert from_dict(to_dict(rate), Rate).value.as_tuple() == rate.value.as_tuple()


@given(installments())
def test_installment_round_trips(installment: Installment) -> None:
    """An installment comes back field for field."""
    assert_round_trips(installment)


@given(hand_built_schedules())
def test_hand_built_schedule_round_trips(schedule: Schedule) -> None:
    """A schedule with nested installments, a rate and options comes back equal."""
    assert_round_trips(schedule)


GENERATORS = ["equal_installment", "equal_principal", "interest_only", "bullet", "flat"]


@pytest.mark.parametrize("name", GENERATORS)
@given(
    principal=st.integers(100, 10**8).map(Money.from_minor_units),
    rate=st.decimals(min_value=0, max_value=Decimal("0.36"), places=4).map(Rate.annual),
    term=st.integers(1, 24),
    start=dates,
)
def test_generated_schedule_round_trips(
    name: str, principal: Money, rate: Rate, term: int, start: date
) -> None:
    """Schedules made by the library's own generators round-trip (when the generator exists)."""
    generator = getattr(microloan, name, None)
    if generator is None:
        pytest.skip(f"microloan.{name} does not exist yet")
    assert_round_trips(generator(principal, rate=rate, term=term, start=start))


def _public_value_classes() -> list[type]:
    return list(serializable_types().values())


@pytest.mark.parametrize("cls", _public_value_classes(), ids=lambda c: c.__name__)
def test_every_public_value_class_has_a_serializable_layout(cls: type) -> None:
    """Each attrs class in microloan.__all__ is registered and its annotations are supported."""
    from microloan._codec import class_codec

    assert serializable_types()[cls.__name__] is cls
    fields = class_codec(cls, tagged=True).fields  # raises InvalidTypeError if unsupported
    assert {f.key for f in fields}.isdisjoint({"type", "version"})


#: Public classes that are code rather than data, and why: the round-trip test skips
#: exactly these (docs/how-to/serialize.md says so). Every other public class must
#: have a strategy, in KNOWN or built generically, or the test fails.
NO_JSON_FORM: dict[str, str] = {
    "EligibilityRule": "holds its check, a caller's Python function, which has no JSON form",
    "EligibilityPolicy": "holds EligibilityRules, whose checks are Python functions",
}


@pytest.mark.parametrize("cls", _public_value_classes(), ids=lambda c: c.__name__)
def test_every_public_value_class_round_trips(cls: type) -> None:
    """Every public value class (but the few that hold functions) round-trips exactly."""
    if cls.__name__ in NO_JSON_FORM:
        pytest.skip(f"{cls.__name__} {NO_JSON_FORM[cls.__name__]}")
    try:
        strategy = strategy_for(cls)
    except LookupError as exc:  # pragma: no cover - a new class without a strategy
        pytest.fail(f"no strategy for {cls.__name__}: {exc}; add one to KNOWN")

    @settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy)
    def check(value: object) -> None:
        assert_round_trips(value)

    try:
        check()
    except (Unsatisfiable, FailedHealthCheck) as exc:  # pragma: no cover - a new class
        reason = str(exc).splitlines()[0]
        pytest.fail(f"no strategy builds a valid {cls.__name__}; add one to KNOWN ({reason})")


def test_the_classes_without_a_json_form_are_public_and_refused_by_path() -> None:
    """The exclusions name real public classes, and writing one names the function's field."""
    assert set(NO_JSON_FORM) <= set(serializable_types())
    policy = microloan.EligibilityPolicy.platform_merchant()
    with pytest.raises(SerializationError, match="no JSON form") as info:
        to_dict(policy)
    assert info.value.path == "rules[0].check"
    with pytest.raises(SerializationError, match="no JSON form") as info:
        to_dict(policy.rules[0])
    assert info.value.path == "check"


@given(loans_with_history(), st.integers(0, 400))
def test_a_loan_round_trips_with_its_history_and_replays_to_the_same_position(
    loan: microloan.Loan, days: int
) -> None:
    """A loan's postings come back; rebuilt, it has the same transactions and positions."""
    assert_round_trips(loan)
    back = from_json(to_json(loan), microloan.Loan)
    assert back.transactions == loan.transactions
    assert back.reversed_transactions == loan.reversed_transactions
    on = loan.start + timedelta(days=days)
    assert back.position(on=on) == loan.position(on=on)


@given(credit_lines(), st.integers(0, 400))
def test_a_credit_line_round_trips_with_its_drawdowns_and_positions(
    line: microloan.CreditLine, days: int
) -> None:
    """A line comes back with its product, drawdowns and state; its position is the same."""
    assert_round_trips(line)
    back = from_json(to_json(line), microloan.CreditLine)
    on = line.opened + timedelta(days=days)
    assert back.position(on=on) == line.position(on=on)
    assert back.available(on=on) == line.available(on=on)


def test_a_loan_with_every_kind_of_transaction_round_trips() -> None:
    """Repayments, a fee, a waiver, a reversal and a write-off with a recovery all come back."""
    plan = microloan.equal_installment(
        Money("12000"), rate=Rate.annual("18%"), term=6, start=date(2026, 1, 15)
    )
    loan = microloan.Loan.from_schedule(plan, grace_days=3, allocation="vertical")
    loan = loan.repay(Money("1000"), on=date(2026, 2, 15))
    loan = loan.charge_fee(Money("20"), on=date(2026, 3, 1), due=date(2026, 3, 15))
    loan = loan.repay(Money("50"), on=date(2026, 4, 20))
    loan = loan.waive("penalty", on=date(2026, 4, 20))
    loan = loan.reverse(loan.transactions[0])
    loan = loan.write_off(on=date(2026, 5, 20))
    loan = loan.repay(Money("100"), on=date(2026, 6, 1))
    data = to_dict(loan)
    kinds = [(p["kind"], "undone" in p) for p in data["postings"]]
    assert kinds == [
        ("repayment", True),
        ("fee", False),
        ("repayment", False),
        ("waiver", False),
        ("write_off", False),
        ("repayment", False),
    ]
    assert_round_trips(loan)
    back = from_dict(data, microloan.Loan)
    assert back.position(on=date(2026, 7, 1)) == loan.position(on=date(2026, 7, 1))
    assert_round_trips(loan.position(on=date(2026, 7, 1)))


def test_a_credit_line_with_drawdowns_a_freeze_and_a_new_limit_round_trips() -> None:
    """A product's revolving line, drawn twice, repaid, frozen and cut, comes back whole."""
    line = microloan.CreditLine.from_product(
        microloan.LoanProduct.revolving_credit(), limit=Money("100000"), opened=date(2026, 1, 1)
    )
    line = line.draw(Money("10000"), on=date(2026, 1, 5))
    line = line.draw(Money("20000"), on=date(2026, 2, 5))
    line = line.repay(Money("15000"), on=date(2026, 3, 1))
    line = line.freeze(on=date(2026, 3, 2)).with_limit(Money("60000"), on=date(2026, 3, 3))
    data = to_dict(line)
    assert (data["status"], data["limit"]["amount"], len(data["drawdowns"])) == (
        "frozen",
        "60000",  # as written: the serializer keeps an amount's places
        2,
    )
    assert data["product"]["name"] == "revolving credit loan (循环贷)"
    assert_round_trips(line)
    assert_round_trips(line.position(on=date(2026, 4, 1)))
    fixed = microloan.CreditLine.fixed(
        limit=Money("60000"),
        rate=Rate.annual("21%"),
        opened=date(2026, 1, 1),
        expires=date(2026, 1, 31),
    ).draw(Money("60000"), on=date(2026, 1, 5), method="equal_installment", term=6)
    assert_round_trips(fixed.repay(Money("11000"), on=date(2026, 2, 5)))


# -- the documented layout (known answers: docs/reference/serialization.md) ----------


def test_money_layout_is_the_documented_one() -> None:
    """Money is type, version, amount as written, currency (left out when it is CNY)."""
    assert to_dict(Money("1.50", "USD")) == {
        "type": "Money",
        "version": SCHEMA_VERSION,
        "amount": "1.50",
        "currency": "USD",
    }
    assert to_dict(Money("1.50")) == {"type": "Money", "version": SCHEMA_VERSION, "amount": "1.50"}
    assert to_dict(Money("500", "JPY"))["amount"] == "500"
    assert to_dict(Money(Decimal("1E+3")))["amount"] == "1E+3"
    assert to_json(Money("7600.00")) == '{"type": "Money", "version": 2, "amount": "7600.00"}'


def test_rate_layout_is_the_documented_one() -> None:
    """A rate is its value as a decimal fraction (5‱ is 0.0005) and its unit."""
    assert to_dict(Rate.daily("5‱")) == {
        "type": "Rate",
        "version": SCHEMA_VERSION,
        "value": "0.0005",
        "unit": "daily",
    }
    assert to_dict(Rate.annual("18%")) == {
        "type": "Rate",
        "version": SCHEMA_VERSION,
        "value": "0.18",
        "unit": "annual",
    }


def _two_installments() -> Schedule:
    first = Installment(
        number=1,
        period_start=date(2026, 1, 15),
        due_date=date(2026, 2, 15),
        principal=Money("500.00"),
        interest=Money("15.00"),
        total=Money("515.00"),
        balance=Money("500.00"),
    )
    second = attrs.evolve(
        first,
        number=2,
        period_start=date(2026, 2, 15),
        due_date=date(2026, 3, 15),
        interest=Money("7.50"),
        total=Money("507.50"),
        balance=Money("0.00"),
    )
    return Schedule(
        installments=(first, second),
        principal=Money("1000.00"),
        rate=Rate.annual("18%"),
        term=2,
        start=date(2026, 1, 15),
        method="equal_principal",
        first_due=date(2026, 2, 15),
    )


def test_schedule_layout_is_the_documented_one() -> None:
    """A schedule nests installments and amounts as plain objects, dates in ISO 8601;
    the options that hold their defaults are left out."""
    money: dict[str, str] = {}  # CNY, the default currency
    assert to_dict(_two_installments()) == {
        "type": "Schedule",
        "version": SCHEMA_VERSION,
        "installments": [
            {
                "number": 1,
                "period_start": "2026-01-15",
                "due_date": "2026-02-15",
                "principal": {"amount": "500.00", **money},
                "interest": {"amount": "15.00", **money},
                "total": {"amount": "515.00", **money},
                "balance": {"amount": "500.00", **money},
            },
            {
                "number": 2,
                "period_start": "2026-02-15",
                "due_date": "2026-03-15",
                "principal": {"amount": "500.00", **money},
                "interest": {"amount": "7.50", **money},
                "total": {"amount": "507.50", **money},
                "balance": {"amount": "0.00", **money},
            },
        ],
        "principal": {"amount": "1000.00", **money},
        "rate": {"value": "0.18", "unit": "annual"},
        "term": 2,
        "start": "2026-01-15",
        "method": "equal_principal",
        "first_due": "2026-02-15",
        "interest_basis": "rounded",  # its default was "exact": always written
    }
    written = to_dict(attrs.evolve(_two_installments(), rounding="half_even", days_in_year=365))
    assert (written["rounding"], written["days_in_year"]) == ("half_even", 365)


#: Documents as version 1 wrote them (the layout of docs/reference/serialization.md, version 1),
#: written out by hand: a money amount, a rate, an open-ended loan with a repayment, a fee
#: and a reversed repayment, and a credit line holding a credit on its own.
_V1_LOAN: dict[str, Any] = {
    "type": "Loan",
    "version": 1,
    "schedule": {
        "installments": [
            {
                "number": 1,
                "period_start": "2026-01-01",
                "due_date": "2026-01-31",
                "principal": {"amount": "1000.00"},
                "interest": {"amount": "15.00"},
                "total": {"amount": "1015.00"},
                "balance": {"amount": "0.00"},
            }
        ],
        "principal": {"amount": "1000.00"},
        "rate": {"value": "0.0005", "unit": "daily"},
        "term": 1,
        "start": "2026-01-01",
        "method": "bullet",
        "frequency": 30,
        "first_due": "2026-01-31",
        "accrual": "daily",
        "interest_basis": "rounded",
    },
    "kind": "open_ended",
    "postings": [
        {"number": 1, "kind": "repayment", "on": "2026-01-11", "amount": {"amount": "300"}},
        {
            "number": 2,
            "kind": "fee",
            "on": "2026-01-12",
            "amount": {"amount": "5"},
            "due": "2026-01-12",
        },
        {
            "number": 3,
            "kind": "repayment",
            "on": "2026-01-13",
            "amount": {"amount": "50"},
            "undone": {
                "number": 3,
                "kind": "repayment",
                "on": "2026-01-13",
                "amount": {"amount": "50.00"},
                # the fee due on Jan 12 first, then 705 × 0.05% × 2 days = 0.705 → 0.71
                # (half up), then principal
                "allocations": [
                    {"component": "fees", "amount": {"amount": "5.00"}, "fee": 2},
                    {
                        "component": "interest",
                        "amount": {"amount": "0.71"},
                        "installment": 1,
                        "prepayment": True,
                    },
                    {
                        "component": "principal",
                        "amount": {"amount": "44.29"},
                        "installment": 1,
                        "prepayment": True,
                    },
                ],
                "excess": {"amount": "0.00"},
            },
        },
    ],
}


def _v1_loan_today() -> microloan.Loan:
    """The loan of `_V1_LOAN`, built through today's API."""
    loan = microloan.Loan.open_ended(
        principal=Money("1000"),
        rate=Rate.daily("0.05%"),
        start=date(2026, 1, 1),
        maturity=date(2026, 1, 31),
    )
    loan = loan.repay(Money("300"), on=date(2026, 1, 11))
    loan = loan.charge_fee(Money("5"), on=date(2026, 1, 12))
    loan = loan.repay(Money("50"), on=date(2026, 1, 13))
    return loan.reverse(loan.transactions[-1])


def test_version_1_documents_still_load_as_the_objects_they_were() -> None:
    """Documents written in version 1 are upgraded and read into today's equal objects."""
    assert from_dict({"type": "Money", "version": 1, "amount": "1.50", "currency": "USD"}) == (
        Money("1.50", "USD")
    )
    assert from_dict({"type": "Rate", "version": 1, "value": "0.18", "unit": "annual"}) == (
        Rate.annual("18%")
    )
    loan = from_dict(_V1_LOAN, microloan.Loan)
    today = _v1_loan_today()
    assert loan == today
    assert loan.transactions == today.transactions
    assert loan.reversed_transactions == today.reversed_transactions
    assert loan.position(on=date(2026, 2, 1)) == today.position(on=date(2026, 2, 1))
    assert to_dict(loan)["version"] == SCHEMA_VERSION
    line = {
        "type": "CreditLine",
        "version": 1,
        "kind": "revolving",
        "limit": {"amount": "50000"},
        "rate": {"value": "0.0005", "unit": "daily"},
        "opened": "2026-01-01",
        "expires": "2026-12-31",
        "use_by": "2026-12-31",
        "credit": {"amount": "90.00"},
        "as_of": "2026-01-01",
        "credit_held": [["2026-01-21", {"amount": "90.00"}]],
    }
    read = from_dict(line, microloan.CreditLine)
    assert read == microloan.CreditLine(
        kind="revolving",
        limit=Money("50000"),
        rate=Rate.daily("0.05%"),
        opened=date(2026, 1, 1),
        expires=date(2026, 12, 31),
        use_by=date(2026, 12, 31),
        credit=Money("90.00"),
        credit_held=((date(2026, 1, 21), Money("90.00")),),
    )
    assert read.refunds == ()
    assert read.position(on=date(2026, 1, 21)).credit == Money("90")


def test_a_document_of_a_later_version_is_refused() -> None:
    """A version 3 document was written by a newer microloan: refused on `version`."""
    for document in (
        {"type": "Money", "version": SCHEMA_VERSION + 1, "amount": "1.50"},
        {**_V1_LOAN, "version": 3},
    ):
        with pytest.raises(SerializationError, match="newer than this microloan reads") as caught:
            from_dict(document)
        assert caught.value.path == "version"


def test_version_1_upgrade_only_rewrites_the_version() -> None:
    """The version 1 to 2 upgrade keeps every field: version 2 only added fields with defaults."""
    from microloan.serialization import _UPGRADES

    upgraded = _UPGRADES[1](dict(_V1_LOAN))
    assert upgraded == {**_V1_LOAN, "version": 2}
    assert sorted(_UPGRADES) == list(range(1, SCHEMA_VERSION))


def test_schema_version_is_two() -> None:
    """Version 2 added refunds, recoveries and the new loan parameters; changing the layout
    means raising it again (see the docs)."""
    assert SCHEMA_VERSION == 2


# -- strict reading ------------------------------------------------------------------


def _bad(data: object, cls: type | None = None) -> SerializationError:
    with pytest.raises(SerializationError) as info:
        from_dict(data, cls)
    return info.value


def test_a_tampered_nested_amount_is_named_by_its_path() -> None:
    """A bad amount deep in a schedule names installments[i].principal.amount."""
    data = to_dict(_two_installments())
    data["installments"][1]["principal"]["amount"] = "5OO.00"
    error = _bad(data)
    assert error.path == "installments[1].principal.amount"
    assert str(error).startswith("installments[1].principal.amount: expected a decimal string")


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("principal", "amount"), 1000, "expected a decimal string"),
        (("principal", "amount"), "NaN", "expected a decimal string"),
        (("principal", "amount"), "1E+9999999", "outside the range"),
        (("principal", "currency"), "XYZ", "is not a known ISO 4217 code"),
        (("rate", "unit"), "yearly", 'one of "annual", "monthly", "daily"'),
        (("rate", "value"), "-0.18", "not a valid Rate"),
        (("start",), "2026-02-30", "not a date in the calendar"),
        (("start",), "15/01/2026", "ISO 8601 date"),
        (("term",), "2", "expected an integer"),
        (("term",), True, "expected an integer"),
        (("frequency",), "daily", "one of"),
        (("days_in_year",), 360.0, "one of"),
        (("installments",), {}, "expected an array"),
        (("installments", 0), [], "expected an Installment object"),
        (("installments", 0, "number"), None, "expected an integer"),
    ],
)
def test_a_bad_value_is_refused_naming_its_path(
    path: tuple[str | int, ...], value: object, reason: str
) -> None:
    """Each kind of bad value raises SerializationError naming the field's path and the reason."""
    data = to_dict(_two_installments())
    target: Any = data
    for segment in path[:-1]:
        target = target[segment]
    target[path[-1]] = value
    error = _bad(data)
    expected = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path).lstrip(".")
    assert error.path in (expected, expected.rsplit(".", 1)[0])
    assert reason in error.reason


def test_a_missing_field_is_named() -> None:
    """A required field that is absent is named; one with a default may be left out."""
    data = to_dict(_two_installments())
    del data["installments"][0]["due_date"]
    assert _bad(data).path == "installments[0].due_date"
    data = to_dict(attrs.evolve(_two_installments(), rounding="half_even"))
    del data["rounding"]
    assert from_dict(data, Schedule) == attrs.evolve(_two_installments(), rounding="half_up")


def test_an_unknown_field_is_refused() -> None:
    """A key the class does not have is refused, so a typo cannot pass silently."""
    data = to_dict(Money("1"))
    data["amonut"] = "2"
    error = _bad(data)
    assert error.path == "amonut"
    assert "not a field of Money" in error.reason


def test_type_and_version_are_checked() -> None:
    """The header must name a known type and a version this release reads."""
    good = to_dict(Money("1"))
    assert _bad({**good, "type": "Mony"}).path == "type"
    assert _bad({k: v for k, v in good.items() if k != "type"}).path == "type"
    assert _bad(good, Rate).path == "type"  # a Money where a Rate was expected
    assert _bad({k: v for k, v in good.items() if k != "version"}).path == "version"
    assert _bad({**good, "version": True}).path == "version"
    assert _bad({**good, "version": 0}).path == "version"
    newer = _bad({**good, "version": SCHEMA_VERSION + 1})
    assert "newer than this microloan reads" in newer.reason


def test_a_document_must_be_an_object() -> None:
    """Anything but a dict at the top is refused with the empty path."""
    junks: tuple[object, ...] = (None, [], "Money", 1)
    for junk in junks:
        error = _bad(junk)
        assert error.path == ""
        assert str(error).startswith("(document): expected a JSON object")


def test_the_class_validators_run_on_reading() -> None:
    """Reading goes through the constructor: a rate over 1,000% a year is refused."""
    data = to_dict(Rate.annual("18%"))
    data["value"] = "18"
    error = _bad(data)
    assert "is over 1,000% a year" in error.reason
    assert isinstance(error.__cause__, MicroloanError)


def test_serialization_error_is_a_value_error_that_pickles() -> None:
    """SerializationError is a MicroloanError and a ValueError, and survives pickling."""
    error = SerializationError("a.b[1]", "is wrong")
    assert isinstance(error, MicroloanError)
    assert isinstance(error, ValueError)
    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.reason, str(again)) == ("a.b[1]", "is wrong", "a.b[1]: is wrong")


def test_json_text_is_read_strictly() -> None:
    """Bad JSON, NaN literals and repeated keys raise SerializationError, not json's errors."""
    for text in ("{", "NaN", '{"type": "Money", "type": "Rate"}', b"\xff", "[" * 100_000):
        with pytest.raises(SerializationError, match="not valid JSON"):
            from_json(text)
    with pytest.raises(InvalidTypeError):
        from_json(None)  # type: ignore[call-overload]


def test_non_value_objects_are_refused_with_a_type_error() -> None:
    """to_dict of a non-attrs object and from_dict into a non-attrs class are type errors."""
    with pytest.raises(InvalidTypeError, match="obj"):
        to_dict(Decimal(1))
    with pytest.raises(InvalidTypeError, match="cls"):
        from_dict(to_dict(Money("1")), Decimal)


def test_writing_checks_values_against_annotations() -> None:
    """A field holding the wrong type (a str for a date) cannot be written; its path is named."""
    with pytest.raises(InvalidTypeError, match="start"):  # a schedule cannot be built so
        attrs.evolve(_two_installments(), start="2026-01-15")  # type: ignore[arg-type]
    bad = _two_installments()
    object.__setattr__(bad, "start", "2026-01-15")  # but a corrupted object is not written
    with pytest.raises(SerializationError) as info:
        to_dict(bad)
    assert info.value.path == "start"


# -- fuzzing: only MicroloanError may escape -----------------------------------------


def _read_or_refuse(data: object, cls: type | None = None) -> object:
    try:
        return from_dict(data, cls)
    except MicroloanError:
        return None


@given(json_junk, st.none() | st.sampled_from(_public_value_classes()))
def test_junk_raises_only_microloan_errors(data: object, cls: type | None) -> None:
    """Arbitrary JSON-like data is read or refused with a MicroloanError, nothing else."""
    _read_or_refuse(data, cls)


@given(headed_junk())
def test_junk_under_a_valid_header_raises_only_microloan_errors(data: dict[str, object]) -> None:
    """Junk in real field names reaches the field readers and is refused cleanly."""
    _read_or_refuse(data)


@given(st.text(max_size=40) | json_junk.map(json.dumps))
def test_junk_text_raises_only_microloan_errors(text: str) -> None:
    """from_json of arbitrary text refuses it with a MicroloanError (or reads it)."""
    with contextlib.suppress(MicroloanError):
        from_json(text)


def _paths(node: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*prefix, index))
    return found


def _read_error(data: object) -> SerializationError | None:
    try:
        from_dict(data)
    except SerializationError as error:
        return error
    return None


def _render(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path).lstrip(".")


def _comparable(a: str, b: str) -> bool:
    """One path is the other or contains it (`x.y` and `x.y[2].z`)."""
    shorter, longer = sorted((a, b), key=len)
    return not shorter or longer == shorter or longer.startswith((shorter + ".", shorter + "["))


@given(
    st.data(),
    st.sampled_from(
        [
            any_money(),
            any_rate(),
            installments(),
            hand_built_schedules(),
            loans_with_history(),
            credit_lines(),
        ]
    ),
)
def test_mutated_documents_are_read_or_refused_at_the_mutation(
    data: st.DataObject, values: st.SearchStrategy[object]
) -> None:
    """A valid document with one thing changed is read (and then its JSON Schema accepts it:
    the schema is never stricter than the reader), or refused naming that place."""
    document = to_dict(data.draw(values))
    path = data.draw(st.sampled_from(_paths(document)))
    mutated = copy.deepcopy(document)
    parent: Any = mutated
    for segment in path[:-1]:
        parent = parent[segment]
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace":
        parent[path[-1]] = data.draw(json_junk)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent["zz_" + str(path[-1])] = data.draw(json_junk)
        path = (*path[:-1], "zz_" + str(path[-1]))
    else:
        parent.append(data.draw(json_junk))
        path = (*path[:-1], len(parent) - 1)
    error = _read_error(mutated)
    if error is None:
        assert_matches_schema(mutated, type(from_dict(mutated)))
    else:
        # an object's own cross-field checks (total = principal + interest, one currency)
        # name a sibling: the object holding the change, or holding the changed amount
        near = path[:-2] if path[-1] in ("amount", "currency") else path[:-1]
        assert _comparable(error.path, _render(path)) or _comparable(error.path, _render(near)), (
            error.path,
            _render(path),
        )


# -- the generic machinery: private and derived fields, unions, containers ------------


class SampleColour(enum.Enum):
    """A test enum with string values."""

    RED = "red"
    GREEN = "green"


@attrs.frozen(kw_only=True)
class SampleLedger:
    """A test class with a private field and a derived (init=False) one."""

    _opening: Money
    entries: tuple[Money, ...] = ()
    closing: Money = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "closing", sum(self.entries, self._opening))


@attrs.frozen(kw_only=True)
class SampleFee:
    """A test class in a union with another."""

    amount: Money


@attrs.frozen(kw_only=True)
class SampleRepayment:
    """The other class of the union."""

    amount: Money
    on: date


@attrs.frozen(kw_only=True)
class SampleEverything:
    """A test class with one field of every form the serializer supports."""

    events: tuple[SampleFee | SampleRepayment, ...]
    pair: tuple[int, str]
    tags: frozenset[str]
    by_date: dict[date, Decimal]
    by_term: Mapping[int, Money]
    colour: SampleColour
    ratio: float
    stamp: datetime
    flag: bool
    items: list[Rate]
    note: str | None = None


def test_private_fields_use_their_init_name_and_derived_fields_are_recomputed() -> None:
    """`_opening` is written as `opening`; `closing` (init=False) is not written but rebuilt."""
    ledger = SampleLedger(opening=Money("10.00"), entries=(Money("1.25"), Money("2")))
    data = to_dict(ledger)
    assert data == {
        "type": "SampleLedger",
        "version": SCHEMA_VERSION,
        "opening": {"amount": "10.00"},
        "entries": [{"amount": "1.25"}, {"amount": "2"}],
    }
    back = from_dict(data, SampleLedger)
    assert back == ledger
    assert back.closing == Money("13.25")


def test_unregistered_classes_need_cls_to_be_read() -> None:
    """A class outside microloan.__all__ is written, and read back only when named."""
    data = to_dict(SampleFee(amount=Money("1")))
    assert _bad(data).path == "type"
    assert from_dict(data, SampleFee) == SampleFee(amount=Money("1"))


def test_a_union_of_classes_tags_each_object_with_its_type() -> None:
    """Where a field admits several classes, each nested object carries its "type"."""
    value = SampleEverything(
        events=(
            SampleFee(amount=Money("5")),
            SampleRepayment(amount=Money("100"), on=date(2026, 3, 1)),
        ),
        pair=(1, "a"),
        tags=frozenset({"b", "a"}),
        by_date={date(2026, 1, 1): Decimal("0.10")},
        by_term={3: Money("1")},
        colour=SampleColour.RED,
        ratio=float("inf"),
        stamp=datetime(2026, 1, 15, 9, 30, tzinfo=timezone(timedelta(hours=8))),
        flag=False,
        items=[Rate.monthly("1.5%")],
    )
    data = to_dict(value)
    assert data["events"][0] == {"type": "SampleFee", "amount": {"amount": "5"}}
    assert data["events"][1]["type"] == "SampleRepayment"
    assert data["tags"] == ["a", "b"]
    assert data["by_date"] == {"2026-01-01": "0.10"}
    assert data["by_term"] == {"3": {"amount": "1"}}
    assert (data["colour"], data["ratio"], data["stamp"]) == (
        "red",
        "Infinity",
        "2026-01-15T09:30:00+08:00",
    )
    assert from_dict(data, SampleEverything) == value
    data["events"][1]["type"] = "SampleFee"
    assert _bad(data, SampleEverything).path.startswith("events[1]")


@given(strategy_for(SampleEverything))
def test_every_supported_form_round_trips(value: SampleEverything) -> None:
    """Unions, tuples, sets, mappings, enums, floats and datetimes round-trip exactly."""
    data = to_dict(value)
    assert_matches_schema(data, SampleEverything)
    back = from_dict(json.loads(json.dumps(data)), SampleEverything)
    assert back == value
    assert to_dict(back) == data


@attrs.frozen
class Unsupported:
    """A field whose annotation has no JSON form."""

    callback: Callable[..., object] | None


@attrs.frozen
class Clashing:
    """A field named like the header."""

    type: str


def test_a_field_with_no_json_form_is_written_only_while_none() -> None:
    """A callable hook has no JSON form: None is written as null, a function is refused."""
    assert to_dict(Unsupported(callback=None))["callback"] is None
    assert from_dict(to_dict(Unsupported(callback=None)), Unsupported) == Unsupported(None)
    with pytest.raises(SerializationError, match="no JSON form") as info:
        to_dict(Unsupported(callback=print))
    assert info.value.path == "callback"
    data = {**to_dict(Unsupported(callback=None)), "callback": "print"}
    assert _bad(data, Unsupported).path == "callback"


def test_a_field_named_like_the_header_is_a_type_error() -> None:
    """A class with a field named "type" cannot be written in this layout: InvalidTypeError."""
    with pytest.raises(InvalidTypeError, match="'type'"):
        to_dict(Clashing(type="x"))


@attrs.frozen(kw_only=True)
class SampleTally:
    """Counts keyed by identifiers of any JSON scalar type (`object`)."""

    counts: dict[object, int]
    owner: Any = None


def test_object_keys_and_values_are_json_scalars_kept_with_their_type() -> None:
    """`dict[object, int]` is written as [key, value] pairs so int and str keys stay apart."""
    tally = SampleTally(counts={1: 2, "1": 3, None: 0}, owner="ops")
    data = to_dict(tally)
    assert data["counts"] == [[1, 2], ["1", 3], [None, 0]]
    assert from_dict(json.loads(json.dumps(data)), SampleTally) == tally
    with pytest.raises(SerializationError) as info:
        to_dict(SampleTally(counts={frozenset({1}): 1}))
    assert info.value.path == "counts[0]"
    data["counts"].append([1, 5])
    assert "repeats the key" in _bad(data, SampleTally).reason


def test_object_values_json_has_no_type_for_are_tagged_and_come_back_exactly() -> None:
    """In an `object`/`Any` field a Decimal, date or datetime is a one-key object; a tuple an array."""
    stamp = datetime(2026, 1, 15, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    keys: tuple[object, ...] = (
        Decimal("1.50"),
        date(2026, 1, 15),
        stamp,
        (1, "a", (Decimal(2),)),
    )
    tally = SampleTally(counts={key: n for n, key in enumerate(keys)}, owner=Decimal("1E+3"))
    data = to_dict(tally)
    assert data["counts"] == [
        [{"decimal": "1.50"}, 0],
        [{"date": "2026-01-15"}, 1],
        [{"datetime": "2026-01-15T09:30:00+08:00"}, 2],
        [[1, "a", [{"decimal": "2"}]], 3],
    ]
    assert data["owner"] == {"decimal": "1E+3"}
    back = from_dict(json.loads(json.dumps(data)), SampleTally)
    assert back == tally
    assert to_dict(back) == data  # "1.50" keeps its places, the tuple stays a tuple
    for bad, path in (
        ({"decimal": 1.5}, "owner.decimal"),
        ({"date": "2026-02-30"}, "owner.date"),
        ({"decimal": "1", "date": "2026-01-01"}, "owner"),
        ({"amount": "1"}, "owner"),
        ([1, {"x": 1}], "owner[1]"),
    ):
        assert _bad({**data, "owner": bad}, SampleTally).path == path
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    assert "expected a string, number" in _bad({**data, "owner": deep}, SampleTally).reason


def test_library_values_with_decimal_cuts_and_set_rules_round_trip() -> None:
    """Equal-width cuts (Decimals) and an `in` rule (a tuple) are written and read back exactly."""
    bins = microloan.equal_width([1, 2, 3, 9], 3)
    assert isinstance(bins.cuts[0], Decimal)
    assert_round_trips(bins)
    assert_round_trips(microloan.lift_table([1, 2, 3, 9, None], [0, 1, 0, 1, 1], bins=bins))
    rule = microloan.Rule("in", {"E", "D"})
    assert to_dict(rule)["value"] == ["D", "E"]
    assert_round_trips(rule)


def test_the_registry_follows_dunder_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """serializable_types() reads microloan.__all__ at call time: a new public class appears."""
    assert set(serializable_types()) >= {"Money", "Rate", "Installment", "Schedule"}
    assert set(serializable_types()) <= set(microloan.__all__)
    monkeypatch.setattr(microloan, "SampleFee", SampleFee, raising=False)
    monkeypatch.setattr(microloan, "__all__", [*microloan.__all__, "SampleFee"])
    assert serializable_types()["SampleFee"] is SampleFee
    assert from_dict(to_dict(SampleFee(amount=Money("2")))) == SampleFee(amount=Money("2"))
    monkeypatch.undo()
    assert "SampleFee" not in serializable_types()


def test_every_currency_round_trips() -> None:
    """Each known currency is written and read as its code."""
    for code in CURRENCY_MINOR_UNITS:
        assert from_dict(to_dict(Money.zero(code))) == Money.zero(code)


def test_a_type_tag_that_fits_none_of_the_fields_is_refused_at_the_tag() -> None:
    """A Rate document relabelled "Money" names the tag, not the first stray field."""
    document = {"type": "Money", "version": 1, "value": "0.1", "unit": "annual"}
    with pytest.raises(SerializationError) as caught:
        from_dict(document)
    assert caught.value.path == "type"
    assert "amount, currency" in str(caught.value)


# -- tampered documents: read back only what the API could have built ----------------


def _loan_document() -> dict[str, Any]:
    plan = microloan.equal_installment(
        Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15)
    )
    loan = (
        microloan.Loan.from_schedule(plan)
        .repay(Money("500"), on=date(2026, 2, 15))
        .charge_fee(Money("5"), on=date(2026, 2, 20))
    )
    return to_dict(loan)


def _money_doc(amount: str, currency: str = "CNY") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


@pytest.mark.parametrize(
    ("path", "value", "where", "reason"),
    [
        (("postings", 0, "amount"), _money_doc("-500"), "postings[0].amount", "must be positive"),
        (("postings", 0, "amount"), _money_doc("0"), "postings[0].amount", "must be positive"),
        (("postings", 0, "amount"), _money_doc("500", "USD"), "postings[0]", "is in USD"),
        (("postings", 0, "on"), "2025-12-01", "postings[0].on", "before the disbursement"),
        (("postings", 1, "amount"), _money_doc("-5"), "postings[1].amount", "must be positive"),
        (("postings", 1, "due"), "2020-01-01", "postings[1].due", "before the charge date"),
        (("postings", 1, "number"), 1, "postings[1].number", "must be 2"),
        (("postings", 0, "component"), "penalty", "postings[0].component", "not part of"),
        (("postings", 0, "kind"), "credit", "postings[0].kind", "recorded automatically"),
        (
            ("schedule", "installments", 0, "principal"),
            _money_doc("0.00"),
            "schedule.installments[0].total",
            "is not principal",
        ),
        (
            ("schedule", "principal"),
            _money_doc("1000.00"),
            "schedule.installments[0].balance",
            "must be 603.97",
        ),
        (("schedule", "term"), 4, "schedule.installments", "where a term of 4"),
        (("kind",), "open_ended", "kind", "needs a bullet plan"),
    ],
)
def test_a_tampered_loan_is_refused_where_it_was_changed(
    path: tuple[str | int, ...], value: object, where: str, reason: str
) -> None:
    """A loan document must pass every check the API makes, naming the field it fails.

    (Each case is a tampering an adversarial test once loaded: a negative or zero
    repayment, a USD payment on a CNY loan, a payment before disbursement, a negative
    fee, a schedule whose parts no longer add up.)
    """
    data = _loan_document()
    target: Any = data
    for segment in path[:-1]:
        target = target[segment]
    target[path[-1]] = value
    error = _bad(data)
    assert error.path == where, error
    assert reason in error.reason, error


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["postings"].append(copy.deepcopy(d["postings"][0])), "postings[2].number"),
        (lambda d: d["schedule"]["installments"].pop(1), "schedule.installments"),
        (lambda d: d["schedule"]["installments"].reverse(), "schedule.installments[0].number"),
    ],
    ids=["duplicated posting", "dropped installment", "reordered installments"],
)
def test_duplicated_postings_and_dropped_or_reordered_installments_are_refused(
    change: Callable[[dict[str, Any]], None], where: str
) -> None:
    """Postings are numbered 1, 2, …; a schedule has its term's installments in order."""
    data = _loan_document()
    change(data)
    assert _bad(data).path == where


def test_a_hand_built_loan_is_checked_like_a_document() -> None:
    """`Loan(...)` with postings replays them through the same checks (not only documents)."""
    loan = from_dict(_loan_document(), microloan.Loan)
    assert microloan.Loan(schedule=loan.schedule, terms=loan.terms, postings=loan._postings) == loan
    bad = (attrs.evolve(loan._postings[0], amount=Money("-1")),)
    with pytest.raises(microloan.InvalidValueError, match=r"postings\[0\]\.amount"):
        microloan.Loan(schedule=loan.schedule, terms=loan.terms, postings=bad)


def test_a_reversal_and_what_rests_on_it_read_back() -> None:
    """A write-off reversed and posted again reads back: reversals are replayed when needed."""
    plan = microloan.equal_installment(
        Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15)
    )
    loan = microloan.Loan.from_schedule(plan).write_off(on=date(2026, 3, 1))
    loan = loan.reverse(loan.transactions[0]).write_off(on=date(2026, 4, 1))
    assert from_dict(to_dict(loan)) == loan


def _nudged(node: Any, data: st.DataObject) -> Any:
    """A plausible change to one JSON value: an amount by a minor unit, a date by a day, …"""
    if isinstance(node, list):
        return _shuffled(node, data) if node else node
    if isinstance(node, bool):
        return not node
    if isinstance(node, int):
        return node + data.draw(st.sampled_from([-1, 1]))
    if isinstance(node, str):
        return _nudged_text(node, data)
    return node


def _nudged_text(text: str, data: st.DataObject) -> str:
    """A date a day earlier or later, a decimal a minor unit or a unit off, else unchanged."""
    with contextlib.suppress(ValueError):
        day = date.fromisoformat(text) + timedelta(days=data.draw(st.sampled_from([-1, 1])))
        return day.isoformat()
    with contextlib.suppress(ArithmeticError):
        step = Decimal(data.draw(st.sampled_from(["0.01", "-0.01", "1", "-1"])))
        return str(Decimal(text) + step)
    return text


def _shuffled(items: list[Any], data: st.DataObject) -> list[Any]:
    """A list with one element dropped, one repeated, or reversed."""
    action = data.draw(st.sampled_from(["drop", "repeat", "swap"]))
    copied = list(items)
    if action == "drop":
        copied.pop(data.draw(st.integers(0, len(copied) - 1)))
    elif action == "repeat":
        copied.append(copy.deepcopy(data.draw(st.sampled_from(copied))))
    else:
        copied.reverse()
    return copied


@pytest.mark.parametrize(
    "cls",
    [c for c in _public_value_classes() if c.__name__ not in NO_JSON_FORM],
    ids=lambda c: c.__name__,
)
def test_a_plausibly_tampered_document_is_refused_or_sound(cls: type) -> None:
    """Every document type: an amount, a date, a count or a list changed a little is either
    refused with a SerializationError or read into an object that round-trips (its document
    valid against the JSON Schema before and after the change); a loan read back also
    conserves every cent."""
    from tests.test_stateful import check_loan_conserves

    @settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(data: st.DataObject) -> None:
        document = to_dict(data.draw(strategy_for(cls)))
        assert_matches_schema(document, cls)
        path = data.draw(st.sampled_from(_paths(document) or [()]))
        if not path:
            return
        parent: Any = document
        for segment in path[:-1]:
            parent = parent[segment]
        parent[path[-1]] = _nudged(parent[path[-1]], data)
        try:
            value = from_dict(document)
        except SerializationError:
            return
        assert_matches_schema(document, cls)  # read, so valid: the schema is not stricter
        assert from_dict(to_dict(value)) == value
        if isinstance(value, microloan.Loan):
            check_loan_conserves(value, value.maturity)

    check()


@given(hand_built_schedules())
def test_an_untagged_document_is_read_when_the_class_is_given(schedule: Schedule) -> None:
    """Without "type" and "version" (the nested form) a document reads as the class given."""
    data = to_dict(schedule)
    del data["type"], data["version"]
    assert from_dict(data, Schedule) == schedule
    with pytest.raises(SerializationError, match="type"):
        from_dict(data)  # without the class nothing says what it is


def test_an_untagged_document_is_checked_like_a_tagged_one() -> None:
    """Untagged input passes the same checks and names the same paths."""
    error = _bad({"amount": "1.00", "currency": "XYZ"}, Money)
    assert error.path == "currency"
    assert _bad({"amount": "1.00", "currency": "CNY", "cents": 1}, Money).path == "cents"
    assert _bad({"type": "Rate", "amount": "1.00", "currency": "CNY"}, Money).path == "type"


def test_a_reversed_write_off_reads_back_after_a_payment_dated_before_it() -> None:
    """A write-off's amount is the balance it wrote off: a repayment posted after its
    reversal but dated before it changes that amount on replay, and the loan still reads
    back equal, keeping the record of what was undone as it stood."""
    plan = bullet(Money("100"), rate=Rate.daily("0.05%"), term=1, start=date(2024, 1, 1))
    loan = Loan.from_schedule(plan).repay(Money("1"), on=date(2024, 1, 1))
    loan = loan.write_off(on=date(2024, 3, 1))
    loan = loan.reverse(loan.transactions[-1])
    loan = loan.repay(Money("10"), on=date(2024, 2, 15))
    back = from_json(to_json(loan))
    assert back == loan
    assert back.reversed_transactions[0].amount == Money("102.64")
