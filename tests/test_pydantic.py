"""pydantic v2 and FastAPI: the value objects as model fields, request bodies and responses."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import jsonschema
import pydantic
import pytest
from fastapi import Body, FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

import microloan
from microloan import (
    Loan,
    Money,
    Rate,
    Schedule,
    equal_installment,
    from_dict,
    serializable_types,
    to_dict,
)
from tests.strategies import strategy_for
from tests.test_json_schema import NO_JSON_FORM


class Order(pydantic.BaseModel):
    """A model with microloan fields, as a service would declare it."""

    price: Money
    rate: Rate
    discount: Money | None = None


def _plan() -> Schedule:
    return equal_installment(
        Money("1200.00"), rate=Rate.annual("18%"), term=3, start=date(2026, 1, 15)
    )


def _documented() -> list[type]:
    return [c for name, c in serializable_types().items() if name not in NO_JSON_FORM]


# -- the hooks ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", list(serializable_types().values()), ids=lambda c: c.__name__)
def test_every_value_object_has_the_pydantic_hooks(cls: type) -> None:
    """Each registered type defines pydantic's core-schema and JSON-schema hooks."""
    assert callable(getattr(cls, "__get_pydantic_core_schema__", None))
    assert callable(getattr(cls, "__get_pydantic_json_schema__", None))


# -- validation -----------------------------------------------------------------------------


def test_a_money_field_validates_from_the_document_form_tagged_or_not() -> None:
    """`price: Money` reads what from_dict reads: the nested form, or a whole document."""
    untagged = Order.model_validate(
        {"price": {"amount": "7600.00", "currency": "CNY"}, "rate": to_dict(Rate.annual("18%"))}
    )
    tagged = Order.model_validate(
        {"price": to_dict(Money("7600.00")), "rate": {"value": "0.18", "unit": "annual"}}
    )
    assert untagged == tagged
    assert untagged.price == Money("7600.00")
    assert untagged.price.amount.as_tuple() == Money("7600.00").amount.as_tuple()  # places kept
    assert untagged.rate == Rate.annual("18%")
    assert untagged.discount is None


def test_an_instance_is_taken_as_it_is() -> None:
    """A Money passed in python mode is kept, not copied."""
    price = Money("1.50", "USD")
    order = Order(price=price, rate=Rate.daily("0.05%"))
    assert order.price is price


def test_json_input_validates_like_from_json() -> None:
    """model_validate_json reads the same JSON text a service stores."""
    text = '{"price": {"amount": "1.50"}, "rate": {"value": "0.0005", "unit": "daily"}}'
    order = Order.model_validate_json(text)
    assert (order.price, order.rate) == (Money("1.50"), Rate.daily("0.05%"))


@pytest.mark.parametrize(
    ("price", "message", "path"),
    [
        (
            {"amount": 1.5},
            "amount: expected a decimal string such as '1.50', got number 1.5",
            "amount",
        ),
        (
            {"amount": "1", "currency": "XYZ"},
            "currency: 'XYZ' is not a known ISO 4217 code",
            "currency",
        ),
        ({"amount": "1", "cents": 5}, "cents: is not a field of Money", "cents"),
        (
            {"type": "Rate", "version": 1, "value": "0.1", "unit": "annual"},
            "type: expected",
            "type",
        ),
        ("1.50", "expected a JSON object", ""),
    ],
)
def test_invalid_input_is_a_validation_error_with_the_librarys_message(
    price: object, message: str, path: str
) -> None:
    """A refusal is a pydantic ValidationError at the field, carrying microloan's message."""
    with pytest.raises(pydantic.ValidationError) as caught:
        Order.model_validate({"price": price, "rate": Rate.annual("1%")})
    (error,) = caught.value.errors()
    assert error["type"] == "microloan_document"
    assert error["loc"] == ("price",)
    assert message in error["msg"]
    assert error["ctx"]["path"] == path
    assert error["msg"] == error["ctx"]["message"]


def test_a_schedule_that_does_not_hold_together_is_refused() -> None:
    """The class's own checks run: a changed installment is refused, naming its path."""
    data = to_dict(_plan())
    data["installments"][1]["principal"]["amount"] = "0.00"
    with pytest.raises(pydantic.ValidationError, match=r"installments\[1\]\.total"):
        pydantic.TypeAdapter(Schedule).validate_python(data)


# -- serialization --------------------------------------------------------------------------


def test_a_model_dumps_the_document_form_in_python_and_json_mode() -> None:
    """model_dump and model_dump_json write exactly what to_dict writes."""
    order = Order(price=Money("1.50", "USD"), rate=Rate.annual("18%"))
    expected = {"price": to_dict(order.price), "rate": to_dict(order.rate), "discount": None}
    assert order.model_dump() == expected
    assert order.model_dump(mode="json") == expected
    assert Order.model_validate_json(order.model_dump_json()) == order


@pytest.mark.parametrize("cls", _documented(), ids=lambda c: c.__name__)
def test_every_type_round_trips_through_pydantic_and_fits_its_schema(cls: type) -> None:
    """For every type: dump to JSON, validate back to an equal value; the dump fits pydantic's
    serialization schema, and its validation schema accepts the untagged form too."""
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(cls)
    out_schema = adapter.json_schema(mode="serialization")
    in_schema = adapter.json_schema(mode="validation")
    jsonschema.Draft202012Validator.check_schema(out_schema)

    @settings(max_examples=3, suppress_health_check=[HealthCheck.too_slow])
    @given(strategy_for(cls))
    def check(value: object) -> None:
        dumped = adapter.dump_python(value, mode="json")
        assert dumped == to_dict(value)
        assert adapter.validate_json(adapter.dump_json(value)) == value
        jsonschema.validate(dumped, out_schema)
        untagged = {k: v for k, v in dumped.items() if k not in ("type", "version")}
        jsonschema.validate(untagged, in_schema)
        assert adapter.validate_python(untagged) == value

    check()


# -- JSON Schema ----------------------------------------------------------------------------


def test_a_model_json_schema_describes_the_fields_by_their_documents() -> None:
    """Money is a named definition; the header is optional to read and always written."""
    reading = Order.model_json_schema()
    writing = Order.model_json_schema(mode="serialization")
    assert reading["properties"]["price"] == {"$ref": "#/$defs/Money"}
    money_in, money_out = reading["$defs"]["Money"], writing["$defs"]["Money"]
    assert money_in["required"] == ["amount"]
    assert money_out["required"] == ["type", "version", "amount"]
    assert money_in["properties"]["currency"]["default"] == "CNY"
    order = Order(price=Money("2"), rate=Rate.annual("1%"), discount=Money("1"))
    jsonschema.validate(order.model_dump(mode="json"), writing)
    jsonschema.validate(
        {"price": {"amount": "2"}, "rate": {"value": "0.01", "unit": "annual"}}, reading
    )


def test_nested_values_are_written_in_place_in_a_model_schema() -> None:
    """A schedule's installments are described inside its schema (a model's `$defs` are
    pydantic's own), equal to what json_schema(cls) says of them."""
    schema = pydantic.TypeAdapter(Schedule).json_schema(mode="serialization")
    installment = schema["properties"]["installments"]["items"]
    assert installment == microloan.json_schema(Schedule)["$defs"]["Installment"] | {
        "properties": installment["properties"]
    }
    assert installment["properties"]["principal"]["properties"]["amount"]["type"] == "string"
    assert "$ref" not in str(schema)


# -- FastAPI --------------------------------------------------------------------------------

app = FastAPI()


@app.post("/plans", response_model=Schedule)
def make_plan(
    principal: Annotated[Money, Body(embed=True)], term: Annotated[int, Body(embed=True)]
) -> Schedule:
    """A route returning a schedule through `response_model`."""
    return equal_installment(principal, rate=Rate.annual("18%"), term=term, start=date(2026, 1, 15))


@app.post("/loans")
def open_loan(schedule: Annotated[Schedule, Body()]) -> Loan:
    """A route taking a schedule as its body and returning a loan (its return annotation)."""
    return Loan.from_schedule(schedule).repay(Money("100"), on=date(2026, 2, 1))


client = TestClient(app)


def test_fastapi_returns_a_schedule_through_response_model() -> None:
    """The response is the schedule's document, read back equal by from_dict."""
    response = client.post("/plans", json={"principal": {"amount": "1200.00"}, "term": 3})
    assert response.status_code == 200
    assert response.json() == to_dict(_plan())
    assert from_dict(response.json()) == _plan()


def test_fastapi_takes_a_schedule_body_and_returns_a_loan() -> None:
    """A document in the body becomes a Schedule; the loan comes back as its document."""
    response = client.post("/loans", json=to_dict(_plan()))
    assert response.status_code == 200
    loan = from_dict(response.json(), Loan)
    assert loan == Loan.from_schedule(_plan()).repay(Money("100"), on=date(2026, 2, 1))


def test_fastapi_refuses_a_bad_body_with_the_librarys_message() -> None:
    """A float amount is a 422 naming the body field, with microloan's reason."""
    response = client.post("/plans", json={"principal": {"amount": 1200}, "term": 3})
    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert detail["loc"] == ["body", "principal"]
    assert detail["type"] == "microloan_document"
    assert "expected a decimal string" in detail["msg"]


def test_the_openapi_document_names_the_microloan_schemas() -> None:
    """OpenAPI lists Money, Schedule (its input and output forms) and Loan as components."""
    components = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"Money", "Schedule-Input", "Schedule-Output", "Loan"} <= set(components)
    assert components["Schedule-Output"]["required"][:2] == ["type", "version"]
