"""JSON Schema of the documents, untagged reading, and fields left out at their defaults."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import microloan
from microloan import (
    SCHEMA_VERSION,
    InvalidTypeError,
    Loan,
    Money,
    Rate,
    SerializationError,
    equal_installment,
    from_dict,
    json_schema,
    serializable_types,
    to_dict,
    to_json,
)
from microloan._codec import ALWAYS_WRITTEN, ClassCodec, class_codec
from tests.strategies import strategy_for

#: Public classes that hold Python functions and so have no documents (as in
#: tests/test_serialization.py); their schemas exist, but no value is ever written.
NO_JSON_FORM = frozenset({"EligibilityRule", "EligibilityPolicy"})

DIALECT = "https://json-schema.org/draft/2020-12/schema"


@functools.cache
def _validator(cls: type) -> jsonschema.Draft202012Validator:
    schema = json_schema(cls)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def assert_matches_schema(document: object, cls: type) -> None:
    """`document` is valid against `json_schema(cls)` (dates checked as dates too)."""
    errors = sorted(_validator(cls).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:3]]


def schema_refuses(document: object, cls: type) -> bool:
    """Whether `json_schema(cls)` finds `document` invalid."""
    return not _validator(cls).is_valid(document)


def _documented_classes() -> list[type]:
    return [c for name, c in serializable_types().items() if name not in NO_JSON_FORM]


# -- the schemas ------------------------------------------------------------------------


@pytest.mark.parametrize("cls", list(serializable_types().values()), ids=lambda c: c.__name__)
def test_every_document_type_has_a_valid_2020_12_schema(cls: type) -> None:
    """Each registered type's schema is itself a valid draft 2020-12 schema, titled by its type."""
    schema = json_schema(cls)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    assert schema["title"] == cls.__name__
    assert schema["properties"]["type"] == {"const": cls.__name__}
    # every version this release reads: version 2 only added fields with defaults
    assert schema["properties"]["version"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": SCHEMA_VERSION,
    }
    assert schema["additionalProperties"] is False
    fields = class_codec(cls, tagged=True).fields
    assert list(schema["properties"])[2:] == [f.key for f in fields]
    assert schema["required"] == ["type", "version", *(f.key for f in fields if f.required)]


def test_money_schema_is_the_documented_layout() -> None:
    """Money: an amount as a decimal string, a currency defaulting to CNY, nothing else.

    (The expected schema is written from the layout table in
    docs/reference/serialization.md, not printed by the code.)
    """
    schema = json_schema(Money)
    assert schema["type"] == "object"
    assert schema["required"] == ["type", "version", "amount"]
    amount, currency = schema["properties"]["amount"], schema["properties"]["currency"]
    assert (amount["type"], currency["type"], currency["default"]) == ("string", "string", "CNY")
    assert "$defs" not in schema  # nothing nested
    pattern = jsonschema.Draft202012Validator({"type": "string", "pattern": amount["pattern"]})
    for good in ("1.50", "-0.01", "1E+3", "7600"):
        assert pattern.is_valid(good), good
    for bad in ("1.", ".5", "1,50", "NaN", "Infinity", " 1", "1.5e"):
        assert not pattern.is_valid(bad), bad


def test_nested_classes_are_definitions_referred_to_by_name() -> None:
    """A schedule's amounts, rate, installments and calendar refer to `$defs` named after their types."""
    schema = json_schema(microloan.Schedule)
    assert set(schema["$defs"]) == {"Calendar", "Fee", "Installment", "Money", "Rate"}
    assert schema["properties"]["principal"]["$ref"] == "#/$defs/Money"
    assert schema["properties"]["installments"]["items"] == {"$ref": "#/$defs/Installment"}
    installment = schema["$defs"]["Installment"]
    assert "type" not in installment["properties"]  # nested values carry no header
    assert installment["properties"]["due_date"]["format"] == "date"


def test_options_are_enums_of_their_literal_values() -> None:
    """A `Literal` option's schema lists exactly its values, and its default when it has one."""
    from typing import get_args

    properties = json_schema(microloan.Schedule)["properties"]
    assert properties["rounding"]["enum"] == list(get_args(microloan.RoundingMode))
    assert properties["rounding"]["default"] == "half_up"
    assert properties["method"]["enum"] == list(get_args(microloan.Method))


def test_descriptions_come_from_the_class_docstrings() -> None:
    """The schema says what a type and its fields are, in the words of the API reference."""
    schema = json_schema(Money)
    assert schema["description"] == "An immutable, exact amount of money in one currency."
    assert schema["properties"]["currency"]["description"].startswith("an ISO 4217 code")


def test_json_schema_refuses_what_is_not_a_value_class() -> None:
    """A non-attrs class or an instance is an InvalidTypeError naming `cls`."""
    for bad in (int, Money("1"), "Money", None):
        with pytest.raises(InvalidTypeError, match="cls"):
            json_schema(bad)  # type: ignore[arg-type]


@attrs.frozen(kw_only=True)
class SampleHeader:
    """A test class with a field named like the header."""

    version: int


def test_a_field_named_like_the_header_has_no_schema() -> None:
    """As to_dict refuses to write it, json_schema refuses to describe it."""
    with pytest.raises(InvalidTypeError, match="'version'"):
        json_schema(SampleHeader)


# -- every document validates; the schema is never stricter than the reader ---------------


@pytest.mark.parametrize("cls", _documented_classes(), ids=lambda c: c.__name__)
def test_every_document_validates_against_its_schema(cls: type) -> None:
    """Every value of every type is written as a document its schema accepts; with every
    default written back in (as releases before default-omission wrote it), it is still
    valid and reads the same."""

    @settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy_for(cls))
    def check(value: object) -> None:
        document = to_dict(value)
        assert_matches_schema(document, cls)
        full = _with_defaults(document, class_codec(cls, tagged=True))
        assert_matches_schema(full, cls)
        assert from_dict(full) == value

    check()


def test_a_document_with_every_field_written_validates_and_reads_the_same() -> None:
    """The full form earlier releases wrote (defaults included) is valid and reads equal."""
    plan = equal_installment(
        Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan).repay(Money("500"), on=date(2026, 2, 15))
    full = _with_defaults(to_dict(loan), class_codec(Loan, tagged=True))
    assert full["postings"][0]["due"] is None
    assert full["schedule"]["principal"]["currency"] == "CNY"
    assert_matches_schema(full, Loan)
    assert from_dict(full) == loan


def _with_defaults(document: Any, codec: ClassCodec) -> Any:
    """`document` with every field written, as releases before default-omission did."""
    out = dict(document)
    for field in codec.fields:
        if field.key not in out and field.default is not ALWAYS_WRITTEN:
            out[field.key] = field.default
        elif field.key in out:
            out[field.key] = _nested_with_defaults(out[field.key], field.codec)
    return out


def _nested_with_defaults(data: Any, codec: Any) -> Any:
    if isinstance(codec, ClassCodec) and isinstance(data, dict):
        return _with_defaults(data, codec)
    item = getattr(codec, "item", None)
    if item is not None and isinstance(data, list):
        return [_nested_with_defaults(d, item) for d in data]
    arms: tuple[object, ...] = getattr(codec, "arms", ())
    if len(arms) == 1 and data is not None:
        return _nested_with_defaults(data, arms[0])
    return data


def test_the_schema_refuses_what_the_reader_refuses_for_its_shape() -> None:
    """A float amount, a date that does not exist, an unknown key or a bad option: both refuse."""
    good = to_dict(
        equal_installment(Money("1000"), rate=Rate.annual("18%"), term=2, start=date(2026, 1, 15))
    )
    changes = [
        ("principal", {"amount": 1000.0}),
        ("start", "2026-02-30"),
        ("rounding", "nearest"),
        ("installmnets", []),
        ("term", "2"),
        ("version", SCHEMA_VERSION + 1),
    ]
    for key, value in changes:
        bad = {**good, key: value}
        assert schema_refuses(bad, microloan.Schedule), key
        with pytest.raises(SerializationError):
            from_dict(bad)


# -- untagged documents: the class given says what they are ---------------------------------


@pytest.mark.parametrize("cls", _documented_classes(), ids=lambda c: c.__name__)
def test_every_type_reads_untagged_when_the_class_is_given(cls: type) -> None:
    """Without "type" and "version" a document reads as the class given; so does each nested
    object, read alone as its field's class."""

    @settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy_for(cls))
    def check(value: object) -> None:
        document = to_dict(value)
        untagged = {k: v for k, v in document.items() if k not in ("type", "version")}
        expected: type[object] = cls
        assert from_dict(untagged, expected) == value
        for field in class_codec(cls, tagged=True).fields:
            nested: object = field.codec
            if isinstance(nested, ClassCodec) and field.key in untagged:
                assert from_dict(untagged[field.key], nested.cls) == getattr(value, field.attribute)

    check()


def test_a_nested_installment_and_amount_read_alone() -> None:
    """The issue's case: `{"amount": "1.00", "currency": "CNY"}` is a Money; an installment
    taken out of a schedule document is an Installment."""
    assert from_dict({"amount": "1.00", "currency": "CNY"}, Money) == Money("1.00")
    assert from_dict({"amount": "1.00"}, Money) == Money("1.00")
    plan = equal_installment(
        Money("1000"), rate=Rate.annual("18%"), term=2, start=date(2026, 1, 15)
    )
    first = to_dict(plan)["installments"][0]
    assert from_dict(first, microloan.Installment) == plan.installments[0]


# -- fields left out at their defaults ------------------------------------------------------

#: The defaults documents leave out, as written, for every class with one (generated once
#: from the classes of this release). A default left out of documents can never change
#: within a layout version: a reader would fill in another value. A field added later may
#: join this table; an entry may only leave it with a new SCHEMA_VERSION.
DEFAULTS_AS_WRITTEN: dict[str, dict[str, object]] = {
    "AgeingReport": {"currency": None, "cells": []},
    "Allocation": {"installment": None, "fee": None, "prepayment": False},
    "Applicant": {
        "birth_date": None,
        "member_since": None,
        "citizenship": None,
        "region": None,
        "legal_representative": False,
        "payment_account_verified": False,
        "payment_record_good": False,
        "facts": {},
    },
    "Bucket": {"high": None},
    "BucketScheme": {"override": None},
    "CategoryBins": {"other": True, "ordered": False},
    "CreditLine": {"status": "active", "product": None, "drawdowns": [], "refunds": []},
    "CutBins": {"closed": "left", "special": []},
    "FirstPaymentDefault": {"currency": None, "cells": []},
    "FundingLimits": {"borrowings": None},
    "LiftTable": {"woe_zero": "one", "worst_end": "auto"},
    "Loan": {"terms": {}, "kind": "installments", "postings": []},
    "LoanProduct": {
        "methods": ["open_ended"],
        "terms": [],
        "frequency": "monthly",
        "max_days": None,
        "conventions": None,
        "penalty_rate": "1.5x",
        "penalty_on_interest": False,
        "grace_days": 0,
        "allocation": "oldest_first",
        "line_kind": "revolving",
        "line_months": 12,
        "validity_days": 30,
        "interest_consumes_limit": False,
        "principal_grace": 0,
        "interest_free_periods": 0,
    },
    "LoanRecord": {
        "days_past_due": 0,
        "on": None,
        "max_days_past_due": None,
        "first_installment_days_past_due": None,
        "first_due": None,
        "written_off": False,
    },
    "Money": {"currency": "CNY"},
    "OverdueRates": {"over": 0, "currency": None, "cells": []},
    "RollRates": {"currency": None, "cells": [], "new_loans": 0, "new_outstanding": 0},
    "Rule": {"value": None},
    "Schedule": {
        "frequency": "monthly",
        "accrual": "period",
        "days_in_year": 360,
        "rounding": "half_up",
        "installment_multiple": None,
        "split": "interest_first",
        "residual": "last",
        "day_count": None,
        "principal_grace": 0,
        "interest_free_periods": 0,
        "balloon": None,
    },
    "ServicingTerms": {
        "penalty_rate": "1.5x",
        "penalty_on_interest": False,
        "grace_days": 0,
        "allocation": "oldest_first",
        "excess": "reduce_installment",
        "early_interest": "days_used",
    },
    "Transaction": {"due": None, "allocations": []},
    "Vintage": {"currency": None, "last_month": -1, "loans": [], "bad": []},
    "_Posting": {"amount": None, "due": None, "component": None, "excess": None, "undone": None},
}


def _reachable_codecs() -> dict[str, ClassCodec]:
    found: dict[str, ClassCodec] = {}

    def walk(codec: object) -> None:
        if isinstance(codec, ClassCodec):
            if codec.name not in found:
                found[codec.name] = codec
                for field in codec.fields:
                    walk(field.codec)
            return
        for attr in ("arms", "item", "items", "key", "value"):
            child = getattr(codec, attr, None)
            for c in child if isinstance(child, tuple) else (child,):
                if c is not None:
                    walk(c)

    for cls in serializable_types().values():
        walk(class_codec(cls, tagged=False))
    return found


def test_a_default_left_out_of_documents_never_changes() -> None:
    """Each default this release leaves out is still the default, written the same way."""
    codecs = _reachable_codecs()
    for name, defaults in DEFAULTS_AS_WRITTEN.items():
        if name not in codecs:
            continue  # a class gone from the API is a layout change of its own
        fields = {f.key: f for f in codecs[name].fields}
        for key, written in defaults.items():
            if key in fields:
                assert fields[key].default == written, (name, key)


def test_a_default_computed_from_other_fields_is_always_written() -> None:
    """A credit line's `as_of` and a product's limits depend on the other fields: written."""
    line = microloan.CreditLine.fixed(
        limit=Money("6000"),
        rate=Rate.annual("21%"),
        opened=date(2026, 1, 1),
        expires=date(2026, 1, 31),
    )
    data = to_dict(line)
    assert {"credit", "as_of"} <= set(data)
    product = to_dict(microloan.LoanProduct.revolving_credit())
    assert {"min_limit", "max_limit"} <= set(product)


@given(st.sampled_from(["USD", "JPY", "CNY"]), st.sampled_from(["0", "1.50", "7600.00"]))
def test_a_field_is_left_out_exactly_when_it_holds_its_default(currency: str, amount: str) -> None:
    """`currency` is written unless it is CNY; the document reads back equal either way."""
    data = to_dict(Money(amount, currency))
    assert ("currency" in data) == (currency != "CNY")
    assert from_dict(data) == Money(amount, currency)


def test_a_value_equal_to_the_default_but_written_differently_is_kept() -> None:
    """`False` is not `0`, nor `1.0` `1`: only the very data of the default is left out."""
    from microloan._codec import same_data

    assert same_data({"a": [1, None]}, {"a": [1, None]})
    assert not same_data(0, False)
    assert not same_data(1.0, 1)
    assert not same_data([0], [False])
    assert not same_data({"a": 0}, {"a": False})
    assert not same_data({"a": 0}, {"b": 0})
    record = microloan.LoanRecord(
        loan_id=0, disbursed=date(2026, 1, 1), principal=Money("1"), outstanding=Money("1")
    )
    assert to_dict(record)["loan_id"] == 0


def test_a_posting_is_written_with_only_what_it_holds() -> None:
    """A CNY repayment is number, kind, date and amount: no nulls, no repeated currency."""
    plan = equal_installment(
        Money("1200"), rate=Rate.annual("12%"), term=3, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan).repay(Money("500.00"), on=date(2026, 2, 15))
    assert to_dict(loan)["postings"] == [
        {"number": 1, "kind": "repayment", "on": "2026-02-15", "amount": {"amount": "500.00"}}
    ]
    assert "terms" not in to_dict(loan)  # the default servicing terms


def test_a_thousand_repayments_take_under_100_kib() -> None:
    """The stored loan of 1,000 repayments is about half what it was with every field written."""
    plan = equal_installment(
        Money("100000"), rate=Rate.annual("18%"), term=36, start=date(2026, 1, 15)
    )
    loan = Loan.from_schedule(plan)
    for day in range(1000):
        loan = loan.repay(Money("90.00"), on=date(2026, 1, 16) + timedelta(days=day))
    text = to_json(loan)
    full = to_json_full(loan)
    assert len(text) < 100 * 1024 < len(full)
    assert len(text) * 1.8 < len(full)


def to_json_full(value: object) -> str:
    """The document with every field written, as before defaults were left out."""
    import json

    codec = class_codec(type(value), tagged=True)
    return json.dumps(_with_defaults(to_dict(value), codec))
