"""Bucket schemes and classification: presets, custom schemes, overrides, monotonicity."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given

from microloan import (
    NON_PERFORMING,
    Bucket,
    BucketScheme,
    InvalidTypeError,
    InvalidValueError,
    classify,
)
from tests.strategies import bucket_schemes, days_past_due, scheme_names

# -- known answers -----------------------------------------------------------------


def test_m_buckets_follow_the_day_one_rule() -> None:
    """DOMAIN.md: M0 = 0, M1 = 1–30, M2 = 31–60 … M6 = 151–180, M7+ = over 180."""
    expected = {
        0: "M0", 1: "M1", 30: "M1", 31: "M2", 60: "M2", 61: "M3", 90: "M3", 91: "M4",
        120: "M4", 121: "M5", 150: "M5", 151: "M6", 180: "M6", 181: "M7+", 10_000: "M7+",
    }  # fmt: skip
    assert {d: classify(d, scheme="m") for d in expected} == expected


def test_us_buckets_are_30_60_90() -> None:
    """US habit (DOMAIN.md): current, 1–29, 30–59, 60–89, 90–119, 120+."""
    expected = {
        0: "current", 1: "1-29", 29: "1-29", 30: "30-59", 59: "30-59", 60: "60-89",
        89: "60-89", 90: "90-119", 119: "90-119", 120: "120+", 999: "120+",
    }  # fmt: skip
    assert {d: classify(d, scheme="us") for d in expected} == expected


def test_five_tier_thresholds_of_the_2023_measures() -> None:
    """《商业银行金融资产风险分类办法》(2023) art. 9–12, as DOMAIN.md summarises them.

    Any overdue → special mention; over 90 days → substandard; over 270 → doubtful;
    over 360 → loss. "Over N" is N + 1 days and more.
    """
    expected = {
        0: "normal", 1: "special_mention", 90: "special_mention", 91: "substandard",
        270: "substandard", 271: "doubtful", 360: "doubtful", 361: "loss", 5000: "loss",
    }  # fmt: skip
    assert {d: classify(d, scheme="five-tier") for d in expected} == expected
    assert frozenset({"substandard", "doubtful", "loss"}) == NON_PERFORMING


def test_presets_have_the_documented_labels() -> None:
    """The label strings are a contract other services rely on."""
    assert BucketScheme.preset("m").labels == ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")
    assert BucketScheme.preset("five-tier").labels == (
        "normal",
        "special_mention",
        "substandard",
        "doubtful",
        "loss",
    )
    assert BucketScheme.preset("us").labels == (
        "current",
        "1-29",
        "30-59",
        "60-89",
        "90-119",
        "120+",
    )


def test_a_position_is_classified_by_its_days_past_due() -> None:
    """Anything with a days_past_due int attribute classifies like the int."""

    @dataclass
    class LinePosition:
        days_past_due: int

    assert classify(LinePosition(95), scheme="five-tier") == "substandard"
    assert classify(LinePosition(0)) == "M0"


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3", None])
def test_bad_days_past_due_are_refused(bad: object) -> None:
    """Negative days are a value error; floats, bools, strings a type error; all name the field."""
    with pytest.raises((InvalidValueError, InvalidTypeError), match="days_past_due"):
        classify(bad)  # type: ignore[arg-type]


def test_unknown_preset_is_refused() -> None:
    """A scheme name that is not a preset names the argument."""
    with pytest.raises(InvalidValueError, match="scheme"):
        classify(3, scheme="m-buckets")  # type: ignore[arg-type]


# -- construction of custom schemes -----------------------------------------------


def _scheme(*buckets: Bucket) -> BucketScheme:
    return BucketScheme(name="x", buckets=buckets)


def test_gaps_are_refused() -> None:
    """Days 6–9 with no bucket: refused at construction, naming the gap."""
    with pytest.raises(InvalidValueError, match="gap"):
        _scheme(Bucket(label="a", low=0, high=5), Bucket(label="b", low=10))


def test_overlaps_are_refused() -> None:
    """Day 5 in two buckets: refused at construction."""
    with pytest.raises(InvalidValueError, match="overlaps"):
        _scheme(Bucket(label="a", low=0, high=5), Bucket(label="b", low=5))


def test_first_bucket_must_start_at_zero() -> None:
    """A current loan (0 days) must have a bucket."""
    with pytest.raises(InvalidValueError, match="must be 0"):
        _scheme(Bucket(label="a", low=1))


def test_only_the_last_bucket_is_open_ended() -> None:
    """An open bucket before the last, or a closed last bucket, is refused."""
    with pytest.raises(InvalidValueError, match="open-ended"):
        _scheme(Bucket(label="a", low=0), Bucket(label="b", low=1))
    with pytest.raises(InvalidValueError, match="open-ended"):
        _scheme(Bucket(label="a", low=0, high=3))


def test_labels_must_be_distinct() -> None:
    """Two buckets with one label would make a report ambiguous."""
    with pytest.raises(InvalidValueError, match="distinct"):
        _scheme(Bucket(label="a", low=0, high=0), Bucket(label="a", low=1))


def test_a_bucket_cannot_end_before_it_starts() -> None:
    """high < low is refused by the bucket itself."""
    with pytest.raises(InvalidValueError, match="high"):
        Bucket(label="a", low=5, high=4)


def test_from_starts_equals_the_explicit_ranges() -> None:
    """Fineract-style explicit ranges and first days describe the same scheme."""
    explicit = BucketScheme(
        name="s",
        buckets=(Bucket(label="0", low=0, high=0), Bucket(label="1+", low=1)),
    )
    assert BucketScheme.from_starts("s", [("0", 0), ("1+", 1)]) == explicit


# -- properties -----------------------------------------------------------------


@given(bucket_schemes(), days_past_due)
def test_every_day_lands_in_exactly_one_bucket(scheme: BucketScheme, dpd: int) -> None:
    """One and only one bucket contains any number of days, and classify names it."""
    holders = [b.label for b in scheme.buckets if b.contains(dpd)]
    assert len(holders) == 1
    assert scheme.classify(dpd) == holders[0]


@given(scheme_names, days_past_due, days_past_due)
def test_classification_is_monotone_in_days(name: str, a: int, b: int) -> None:
    """More days past due never gives a less severe bucket."""
    scheme = BucketScheme.preset(name)  # type: ignore[arg-type]
    low, high = sorted((a, b))
    assert scheme.index(low) <= scheme.index(high)


@given(bucket_schemes(), days_past_due, days_past_due)
def test_custom_classification_is_monotone_in_days(scheme: BucketScheme, a: int, b: int) -> None:
    """The same holds for any valid custom scheme."""
    low, high = sorted((a, b))
    assert scheme.index(low) <= scheme.index(high)


# -- the override hook -------------------------------------------------------------


@dataclass
class Position:
    days_past_due: int
    restructured: bool = False


def _restructured(subject: object, label: str) -> str | None:
    if getattr(subject, "restructured", False) and label in ("normal", "special_mention"):
        return "substandard"
    return None


def test_override_moves_a_restructured_loan() -> None:
    """The caller's hook sees the position and its label by days, and wins."""
    scheme = BucketScheme.preset("five-tier").with_override(_restructured)
    assert classify(Position(10, restructured=True), scheme=scheme) == "substandard"
    assert classify(Position(10), scheme=scheme) == "special_mention"
    assert classify(400, scheme=scheme) == "loss"


def test_override_must_return_a_label_of_the_scheme() -> None:
    """An unknown label from the hook is an error naming the override."""
    scheme = BucketScheme.preset("m").with_override(lambda _s, _l: "M9")
    with pytest.raises(InvalidValueError, match="override"):
        scheme.classify(3)


def test_override_can_be_removed() -> None:
    """with_override(None) gives back classification by days alone."""
    scheme = BucketScheme.preset("five-tier").with_override(_restructured)
    assert scheme.with_override(None) == BucketScheme.preset("five-tier")
