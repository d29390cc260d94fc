"""Eligibility: every failed rule with its reason, the platform's preset, caller-written rules."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import given

from microloan import (
    Applicant,
    EligibilityPolicy,
    EligibilityRule,
    InvalidTypeError,
    InvalidValueError,
    RuleFailure,
    from_json,
    to_json,
)
from tests.strategies import applicants, dates

ON = date(2026, 3, 1)
MERCHANT = Applicant(
    birth_date=date(1985, 6, 1),
    member_since=date(2024, 1, 10),
    citizenship="CN",
    region="Hangzhou",
    legal_representative=True,
    payment_account_verified=True,
    payment_record_good=True,
)


def test_a_merchant_meeting_every_platform_rule_is_eligible() -> None:
    """An applicant meeting all the platform's rules gets an empty list."""
    assert EligibilityPolicy.platform_merchant().evaluate(MERCHANT, on=ON) == []
    assert EligibilityPolicy.platform_merchant().is_eligible(MERCHANT, on=ON)


def test_every_failed_rule_is_reported_not_just_the_first() -> None:
    """An applicant failing every platform rule gets six failures, each with a reason."""
    nobody = Applicant(
        birth_date=date(2010, 1, 1),
        member_since=date(2026, 1, 1),
        citizenship="US",
        region="Ningbo",
    )
    failures = EligibilityPolicy.platform_merchant().evaluate(nobody, on=ON)
    assert [f.rule for f in failures] == [
        "membership",
        "region",
        "age",
        "citizenship",
        "legal representative",
        "payment account",
    ]
    assert failures[2] == RuleFailure(rule="age", reason="age 16 is below 18")
    assert "Ningbo" in failures[1].reason


@pytest.mark.parametrize(
    ("birth", "passes"),
    [
        (date(2008, 3, 1), True),  # 18th birthday on the day
        (date(2008, 3, 2), False),  # 18 tomorrow
        (date(1960, 3, 2), True),  # 65, turning 66 tomorrow
        (date(1960, 3, 1), False),  # 66 today
    ],
)
def test_age_limits_are_inclusive_18_to_65(birth: date, passes: bool) -> None:
    """Aged 18–65 inclusive on the date of evaluation (the platform: 18–65 周岁)."""
    rule = EligibilityRule.age_between(18, 65)
    assert (rule.check(Applicant(birth_date=birth), ON) is None) == passes


@pytest.mark.parametrize(
    ("since", "passes"),
    [(date(2025, 9, 1), True), (date(2025, 9, 2), False), (date(2025, 8, 31), True)],
)
def test_membership_counts_whole_calendar_months(since: date, passes: bool) -> None:
    """Six months of membership: joined 1 Sep 2025 qualifies on 1 Mar 2026, 2 Sep does not."""
    rule = EligibilityRule.member_for(6)
    assert (rule.check(Applicant(member_since=since), ON) is None) == passes


def test_a_caller_written_rule_is_a_small_function() -> None:
    """A caller's own rule reads the applicant's facts and joins the policy with +."""

    def good_shop(applicant: Applicant, on: date) -> str | None:
        rating = applicant.facts.get("rating")
        return None if rating == "A" else f"shop rating {rating!r} on {on} is not A"

    policy = EligibilityPolicy.platform_merchant() + EligibilityRule(
        name="shop rating", check=good_shop
    )
    failures = policy.evaluate(MERCHANT, on=ON)
    assert failures == [
        RuleFailure(rule="shop rating", reason="shop rating None on 2026-03-01 is not A")
    ]
    rated = attrs.evolve(MERCHANT, facts={"rating": "A"})
    assert policy.evaluate(rated, on=ON) == []
    required = EligibilityRule.require("vip", lambda a: bool(a.facts.get("vip")), "not a VIP")
    assert [f.reason for f in EligibilityPolicy(rules=(required,)).evaluate(MERCHANT, on=ON)] == [
        "not a VIP"
    ]


@given(applicants, dates)
def test_failures_of_a_combined_policy_are_the_failures_of_its_parts(
    applicant: Applicant, on: date
) -> None:
    """Evaluating a + b reports a's failures then b's: rules compose without interfering."""
    preset = EligibilityPolicy.platform_merchant()
    first = EligibilityPolicy(rules=preset.rules[:3])
    second = EligibilityPolicy(rules=preset.rules[3:])
    combined = (first + second).evaluate(applicant, on=on)
    assert combined == first.evaluate(applicant, on=on) + second.evaluate(applicant, on=on)
    assert combined == preset.evaluate(applicant, on=on)
    assert all(f.reason for f in combined)


@given(applicants, dates)
def test_each_rule_fails_exactly_when_its_check_gives_a_reason(
    applicant: Applicant, on: date
) -> None:
    """evaluate() lists exactly the rules whose check returns a reason, in policy order."""
    policy = EligibilityPolicy.platform_merchant()
    expected = [r.name for r in policy.rules if r.check(applicant, on) is not None]
    assert [f.rule for f in policy.evaluate(applicant, on=on)] == expected


def test_policies_refuse_duplicate_rule_names_and_bad_input() -> None:
    """Two rules with one name, a non-callable check, an unknown rule to drop are refused."""
    with pytest.raises(InvalidValueError, match="rules"):
        EligibilityPolicy.platform_merchant() + EligibilityRule.age_between()
    with pytest.raises(InvalidTypeError, match="check"):
        EligibilityRule(name="x", check="no")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="name"):
        EligibilityPolicy.platform_merchant().without("credit score")
    with pytest.raises(InvalidTypeError, match="applicant"):
        EligibilityPolicy.platform_merchant().evaluate("me", on=ON)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="maximum"):
        EligibilityRule.age_between(65, 18)


def test_region_preset_is_configurable() -> None:
    """The platform's region is Hangzhou; another region is one argument away."""
    ningbo = attrs.evolve(MERCHANT, region="Ningbo")
    assert [f.rule for f in EligibilityPolicy.platform_merchant().evaluate(ningbo, on=ON)] == [
        "region"
    ]
    assert EligibilityPolicy.platform_merchant(region="Ningbo").evaluate(ningbo, on=ON) == []


def test_applicant_round_trips_through_json() -> None:
    """An applicant with facts is written and read back equal."""
    applicant = attrs.evolve(MERCHANT, facts={"rating": "A", "orders": 120})
    assert from_json(to_json(applicant)) == applicant
