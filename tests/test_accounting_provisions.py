"""Provisions by classification, coverage figures and expected credit loss."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microloan import (
    PROVISION_PRESETS,
    PROVISION_RATE_RANGES,
    BucketScheme,
    ExpectedCreditLoss,
    InvalidTypeError,
    InvalidValueError,
    LoanRecord,
    Money,
    Provisions,
    expected_credit_loss,
    lifetime_pd,
    provisions,
    roll_rates,
)
from tests.strategies import loan_books, markov_chains

ON = date(2026, 1, 31)
D = Decimal


def _rec(i: int, dpd: int, left: str, *, written_off: bool = False) -> LoanRecord:
    return LoanRecord(
        loan_id=i,
        disbursed=date(2025, 1, 1),
        principal=Money(left),
        outstanding=Money(left),
        days_past_due=dpd,
        written_off=written_off,
    )


# One loan per five-tier class (normal, special mention, substandard, doubtful, loss).
BOOK = [
    _rec(1, 0, "50000"),
    _rec(2, 30, "20000"),
    _rec(3, 120, "10000"),
    _rec(4, 300, "5000"),
    _rec(5, 400, "2000"),
]


def test_the_pboc_2002_rates_give_the_published_provisions() -> None:
    """银发〔2002〕98号: 关注 2%, 次级 25%, 可疑 50%, 损失 100%, 一般准备 1% of loans."""
    p = provisions(BOOK, on=ON)
    # by hand from the guideline's rates: 2% × 20,000; 25% × 10,000; 50% × 5,000; 100% × 2,000
    assert p.by_class == {
        "normal": Money("0"),
        "special_mention": Money("400"),
        "substandard": Money("2500"),
        "doubtful": Money("2500"),
        "loss": Money("2000"),
    }
    assert p.specific == Money("7400")
    assert p.general == Money("870")  # 1% × 87,000
    assert p.total == Money("8270")
    assert p.non_performing == Money("17000")
    assert p.coverage is not None
    assert p.ratio is not None
    assert p.coverage.quantize(D("0.0001")) == D("0.4865")  # 8,270 / 17,000
    assert p.ratio.quantize(D("0.0001")) == D("0.0951")  # 8,270 / 87,000


def test_the_2011_minimums_bind_at_the_higher_of_coverage_and_ratio() -> None:
    """银监会令2011年第4号: max(150% × NPL, 2.5% × loans); the 2018 notice allows 120% / 1.5%."""
    p = provisions(BOOK, on=ON)
    assert p.required() == Money("25500")  # 150% × 17,000 > 2.5% × 87,000 = 2,175
    assert p.shortfall() == Money("17230")
    assert not p.meets()
    assert p.required(coverage=D("1.2"), ratio=D("0.015")) == Money("20400")
    assert provisions(BOOK, on=ON, rates={"loss": D(1)}, general_rate=D("0.3")).meets()


def test_the_mof_2012_standard_coefficients() -> None:
    """财金〔2012〕20号 standard method: 1.5% / 3% / 30% / 60% / 100%, no separate reserve."""
    p = provisions(BOOK, on=ON, rates="mof-2012")
    # 750 + 600 + 3,000 + 3,000 + 2,000
    assert p.total == Money("9350")
    assert p.general == Money("0")


def test_caller_rates_and_the_guidelines_ranges() -> None:
    """A mapping of labels to rates is used as given; the preset lies within the 2002 ranges."""
    p = provisions(BOOK, on=ON, rates={"substandard": D("0.3"), "doubtful": D("0.6")})
    assert p.total == Money("6000")
    pboc, _ = PROVISION_PRESETS["pboc-2002"]
    assert all(low <= pboc[k] <= high for k, (low, high) in PROVISION_RATE_RANGES.items())


def test_written_off_loans_are_not_provisioned() -> None:
    """A written-off loan is out of the book."""
    p = provisions([_rec(1, 400, "100", written_off=True)], on=ON)
    assert p.total == Money("0")
    assert p.coverage is None
    assert p.ratio is None


@settings(max_examples=40)
@given(loan_books(on=ON), loan_books(on=ON))
def test_provisions_of_two_parts_add_up_to_the_whole(
    a: list[LoanRecord], b: list[LoanRecord]
) -> None:
    """provisions(a) + provisions(b) == provisions(a ∪ b)."""
    b = [attrs.evolve(r, loan_id=f"b{r.loan_id}") for r in b]
    whole = provisions(a + b, on=ON)
    assert provisions(a, on=ON) + provisions(b, on=ON) == whole
    assert sum([provisions(a, on=ON)]) == provisions(a, on=ON)
    assert whole.total == whole.specific + whole.general


def test_provisions_refuse_bad_rates_and_schemes() -> None:
    """Unknown presets, labels, out-of-range rates and foreign schemes are refused."""
    with pytest.raises(InvalidValueError, match="rates"):
        provisions(BOOK, on=ON, rates="cbirc")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="rates"):
        provisions(BOOK, on=ON, rates={"bad": D("0.1")})
    with pytest.raises(InvalidValueError, match="rates"):
        provisions(BOOK, on=ON, rates={"loss": D("1.5")})
    with pytest.raises(InvalidTypeError, match="rates"):
        provisions(BOOK, on=ON, rates={"loss": 0.5})  # type: ignore[dict-item]
    with pytest.raises(InvalidValueError, match="scheme"):
        provisions(BOOK, on=ON, scheme=BucketScheme.preset("m"))
    with pytest.raises(InvalidValueError, match="other"):
        provisions(BOOK, on=ON) + provisions(BOOK, on=ON, rates="mof-2012")


# -- lifetime PD --------------------------------------------------------------------------

CHAIN = {
    "M0": {"M0": D("0.9"), "M1": D("0.05"), "paid_off": D("0.05")},
    "M1": {"M0": D("0.5"), "M1": D("0.2"), "default": D("0.3")},
}


def test_lifetime_pd_of_a_small_chain_is_the_hand_computed_value() -> None:
    """By hand: h=2: 0.05 × 0.3; h=3: 0.015 + (0.9 × 0.05 + 0.05 × 0.2) × 0.3; from M1 h=2: 0.3 + 0.2 × 0.3."""
    assert lifetime_pd(CHAIN, start="M0", horizon=0) == 0
    assert lifetime_pd(CHAIN, start="M0", horizon=1) == 0
    assert lifetime_pd(CHAIN, start="M0", horizon=2) == D("0.015")
    assert lifetime_pd(CHAIN, start="M0", horizon=3) == D("0.0315")
    assert lifetime_pd(CHAIN, start="M1", horizon=2) == D("0.36")


@settings(max_examples=40)
@given(markov_chains(), st.sampled_from(["M0", "M1", "M2"]), st.integers(0, 24))
def test_lifetime_pd_never_falls_as_the_horizon_grows(
    chain: dict[str, dict[str, Decimal]], start: str, horizon: int
) -> None:
    """Default is absorbing: PD(h) <= PD(h + 1) <= 1."""
    now = lifetime_pd(chain, start=start, horizon=horizon)
    later = lifetime_pd(chain, start=start, horizon=horizon + 1)
    assert 0 <= now <= later <= 1


def test_lifetime_pd_from_roll_rates_reads_the_counts() -> None:
    """From a RollRates, one step is the matrix's share of loans that rolled to default."""
    before = [_rec(i, 0, "100") for i in range(4)]
    after = [
        _rec(0, 0, "90"),
        _rec(1, 0, "90"),
        _rec(2, 0, "90"),
        _rec(3, 0, "90", written_off=True),
    ]
    rr = roll_rates(before, after, start=date(2026, 1, 1), end=ON)
    assert lifetime_pd(rr, start="M0", horizon=1) == D("0.25")
    assert lifetime_pd(rr, start="M0", horizon=2) == D("0.4375")  # 1 - 0.75²


def test_lifetime_pd_refuses_a_chain_that_is_not_one() -> None:
    """Rows must add up to exactly 1, default must be absorbing, states must have rows."""
    with pytest.raises(InvalidValueError, match="exactly 1"):
        lifetime_pd({"M0": {"M0": D("0.5"), "default": D("0.4")}}, start="M0", horizon=1)
    with pytest.raises(InvalidValueError, match="absorbing"):
        lifetime_pd({"M0": {"default": D(1)}, "default": {"M0": D(1)}}, start="M0", horizon=1)
    with pytest.raises(InvalidValueError, match="no row"):
        lifetime_pd({"M0": {"M1": D(1)}, "M9": {"default": D(1)}}, start="M0", horizon=1)
    with pytest.raises(InvalidValueError, match="horizon"):
        lifetime_pd(CHAIN, start="M0", horizon=-1)
    with pytest.raises(InvalidTypeError, match="matrix"):
        lifetime_pd([1], start="M0", horizon=1)  # type: ignore[arg-type]


# -- expected credit loss ---------------------------------------------------------------


def test_ecl_is_pd_times_lgd_times_ead() -> None:
    """EAD 1,000, PD 2%, LGD 45% (Basel II §287's supervisory LGD for senior unsecured): 9.00."""
    ecl = expected_credit_loss(
        [_rec(1, 0, "1000")], on=ON, pd={1: D("0.02"), 2: D("0.2"), 3: D(1)}, lgd=D("0.45")
    )
    assert ecl.total == Money("9.00")
    assert ecl.by_stage == {1: Money("9.00"), 2: Money("0"), 3: Money("0")}


def test_the_stages_follow_the_days_past_due() -> None:
    """Stage 2 from 30 days past due, stage 3 from 90 (IFRS 9 §5.5.11, B5.5.37), overridable."""
    book = [_rec(i, d, "100") for i, d in enumerate((29, 30, 89, 90))]
    pd = {1: D("0.01"), 2: D("0.1"), 3: D(1)}
    ecl = expected_credit_loss(book, on=ON, pd=pd, lgd=D(1))
    assert ecl.exposure == {1: Money("100"), 2: Money("200"), 3: Money("100")}
    moved = expected_credit_loss(book, on=ON, pd=pd, lgd=D(1), stages=(60, 120))
    assert moved.exposure == {1: Money("200"), 2: Money("200"), 3: Money("0")}


def test_ecl_from_a_chain_uses_12_months_for_stage_1_and_the_lifetime_after() -> None:
    """Stage 1: the 12-month PD; stage 2: the PD over the loan's months left."""
    book = [_rec(1, 0, "1000"), _rec(2, 40, "1000")]
    chain = {**CHAIN, "M2": {"M1": D("0.5"), "default": D("0.5")}}
    ecl = expected_credit_loss(book, on=ON, pd=chain, lgd=D(1), lifetime={2: 1})
    pd12 = lifetime_pd(chain, start="M0", horizon=12)
    assert ecl.by_stage[1] == Money(pd12 * 1000).round()
    assert ecl.by_stage[2] == Money("500")  # one month left from M2: 0.5


@settings(max_examples=40)
@given(loan_books(on=ON), loan_books(on=ON))
def test_ecl_of_two_parts_adds_up_to_the_whole(a: list[LoanRecord], b: list[LoanRecord]) -> None:
    """expected_credit_loss(a) + (b) == (a ∪ b), total and by stage."""
    b = [attrs.evolve(r, loan_id=f"b{r.loan_id}") for r in b]
    pd = {1: D("0.013"), 2: D("0.27"), 3: D("0.9")}
    lgd = {1: D("0.45"), 2: D("0.5"), 3: D("0.65")}
    parts = expected_credit_loss(a, on=ON, pd=pd, lgd=lgd) + expected_credit_loss(
        b, on=ON, pd=pd, lgd=lgd
    )
    whole = expected_credit_loss(a + b, on=ON, pd=pd, lgd=lgd)
    assert parts.total == whole.total
    assert parts.by_stage == whole.by_stage
    assert isinstance(sum([whole]), ExpectedCreditLoss)


def test_ecl_refuses_bad_inputs() -> None:
    """A probability out of range, a missing stage or thresholds out of order are refused."""
    with pytest.raises(InvalidValueError, match="pd"):
        expected_credit_loss(BOOK, on=ON, pd={1: D("0.1"), 2: D("0.2")}, lgd=D("0.4"))
    with pytest.raises(InvalidValueError, match="lgd"):
        expected_credit_loss(BOOK, on=ON, pd={1: D(0), 2: D(0), 3: D(1)}, lgd=D(2))
    with pytest.raises(InvalidValueError, match="stages"):
        expected_credit_loss(BOOK, on=ON, pd={1: D(0), 2: D(0), 3: D(1)}, lgd=D(1), stages=(90, 30))
    with pytest.raises(InvalidValueError, match="pd"):
        expected_credit_loss([_rec(1, 200, "10")], on=ON, pd=CHAIN, lgd=D(1))


def test_reports_are_values() -> None:
    """Provisions compare by value and show their rows."""
    assert provisions(BOOK, on=ON) == provisions(list(BOOK), on=ON)
    assert isinstance(provisions([], on=ON), Provisions)
    assert next(r["class"] for r in provisions(BOOK, on=ON).as_rows()) == "normal"


def test_ecl_from_roll_rates_counts_a_bucket_past_default_as_defaulted() -> None:
    """With `default="M2"`, a loan in M2 or later has PD 1; one in M0 reads the matrix."""
    before = [_rec(i, 0, "100") for i in range(4)]
    after = [_rec(0, 0, "90"), _rec(1, 0, "90"), _rec(2, 45, "90"), _rec(3, 0, "0")]
    rr = roll_rates(before, after, start=date(2026, 1, 1), end=ON)
    # M0 -> M0 2/4, M2 1/4 (default), paid_off 1/4: one month's PD is 1/4
    assert lifetime_pd(rr, start="M0", horizon=1, default="M2") == D("0.25")
    book = [_rec(1, 0, "1000"), _rec(2, 45, "1000")]
    ecl = expected_credit_loss(book, on=ON, pd=rr, lgd=D(1), default="M2")
    assert ecl.by_stage[2] == Money("1000")  # in M2: defaulted
    pd12 = lifetime_pd(rr, start="M0", horizon=12, default="M2")
    assert ecl.by_stage[1] == Money(pd12 * 1000).round()


def test_ecl_matches_a_published_two_stage_worked_example() -> None:
    """Meridian Bank: EAD 5,000,000, LGD 40%; stage 1 PD 1.5% -> 30,000; stage 2 PD 12% -> 240,000.

    Source: AcadiFi, "How does the IFRS 9 expected credit loss model work" (worked example),
    https://acadifi.com/community/expected-credit-loss-model-ifrs-9-impairment-financial-instruments
    """
    pd = {1: D("0.015"), 2: D("0.12"), 3: D(1)}
    year_1 = expected_credit_loss([_rec(1, 0, "5000000")], on=ON, pd=pd, lgd=D("0.40"))
    assert year_1.total == Money("30000")
    year_2 = expected_credit_loss([_rec(1, 45, "5000000")], on=ON, pd=pd, lgd=D("0.40"))
    assert year_2.by_stage[2] == Money("240000")
