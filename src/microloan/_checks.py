"""Argument checks shared by several modules, each raising a message that names the field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from microloan.errors import invalid, wrong_type


def check_date(value: object, field: str) -> date:
    """Return `value` if it is a calendar date (a `datetime` is refused: it carries a time)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise wrong_type(field, value, "a datetime.date")
    return value


def check_days_in_year(value: object) -> Literal[360, 365, "actual"]:
    """Return `value` if it is a days-in-year convention: 360, 365 or `"actual"`."""
    if value == "actual":
        return "actual"
    if isinstance(value, bool) or value not in (360, 365):
        raise invalid("days_in_year", value, 'must be 360, 365 or "actual"')
    return 360 if value == 360 else 365


def check_name(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    """An attrs validator: `name` must be a non-empty `str`."""
    if not isinstance(value, str):
        raise wrong_type("name", value, "a str")
    if not value.strip():
        raise invalid("name", value, "must not be empty")
