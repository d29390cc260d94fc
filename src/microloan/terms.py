"""Servicing terms: the conventions a lender services a loan by.

[`ServicingTerms`][microloan.ServicingTerms] gathers the options that are not part
of the repayment plan but of how payments and arrears are treated: the penalty rate
(罚息), the grace days (宽限期), the allocation order of a payment, what an
overpayment does and the interest of an early repayment. Each option is declared
here once, as a `Literal`; `Loan`, `LoanProduct` and the servicing engine read the
terms as one object.
"""

from __future__ import annotations

from typing import Any, Final, Literal, final, get_args

import attrs

from microloan._validators import check_int, check_option, option
from microloan.errors import wrong_type
from microloan.rates import Rate

AllocationOrder = Literal["oldest_first", "vertical", "principal_first"]
"""The order in which a payment settles what is due.

- `"oldest_first"` (default; Apache Fineract's default, "horizontal"): the
  oldest due date first and, within it, penalty → fees → interest → principal.
- `"vertical"`: penalty of every due installment, then fees, then interest, then
  principal, each oldest first (民法典 art. 561: costs → interest → principal).
- `"principal_first"`: principal of every due installment, then interest, then
  fees, then penalty, each oldest first (some contracts; the cheapest for the
  borrower, since principal bears the penalty).
"""

ExcessHandling = Literal["reduce_installment", "shorten_term", "credit"]
"""What a payment larger than what is due does with the excess.

- `"reduce_installment"` (default): prepay principal and keep the term: the
  remaining plan is re-amortised with the schedule's own generator, so later
  installments are smaller.
- `"shorten_term"`: prepay principal and keep the installment: the remaining
  plan is re-amortised over as few periods as keep the installment (for
  `equal_principal`, its principal part) no larger than before.
- `"credit"`: hold the excess as a credit on the loan; the credit pays
  installments and fees as they fall due.

A payment that covers the payoff amount always closes the loan, whatever the
option; what is left over is held as a credit (a refund due to the borrower).
"""

EarlyRepaymentInterest = Literal["days_used", "period_end"]
"""The interest charged when principal is repaid before its due date.

- `"days_used"` (default, 民法典 art. 677): only for the days the money was used.
- `"period_end"`: the whole current period's interest, as some lenders (and
  Apache Fineract's "till rest frequency date" setting) charge.
"""

NON_ACCRUAL_DAYS: Final = 90
"""The default days past due from which a loan stops accruing into income (Basel Committee,
*Prudential treatment of problem assets*, 2017: non-performing from 90 days past due): the
default of `non_accrual_days` wherever the books are asked for."""

PenaltyPreset = Literal["1.5x", "1.3x", "none"]
"""A penalty rate relative to the contract rate.

- `"1.5x"` (default): the contract rate × 1.5, the common 罚息 practice
  (the PBoC 2003 notice allows 30–50% above the contract rate).
- `"1.3x"`: the contract rate × 1.3, the notice's lower bound.
- `"none"`: no penalty interest.
"""


_PENALTY_FACTORS: Final[dict[str, str]] = {"1.5x": "1.5", "1.3x": "1.3", "none": "0"}


def _check_penalty_rate(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, Rate):
        check_option(
            "penalty_rate",
            value,
            PenaltyPreset,
            reason=f"must be a Rate or one of {list(get_args(PenaltyPreset))}",
        )


def _check_grace(_instance: object, _attribute: object, value: object) -> None:
    check_int("grace_days", value, minimum=0)


def _check_bool(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise wrong_type(attribute.name, value, "a bool")


@final
@attrs.frozen(kw_only=True)
class ServicingTerms:
    """How a loan is serviced: penalty, grace, allocation and prepayment conventions.

    Attributes:
        penalty_rate: a [`PenaltyPreset`][microloan.PenaltyPreset] (`"1.5x"`, the
            default, `"1.3x"` or `"none"`) or an explicit `Rate`.
        penalty_on_interest: whether overdue interest bears penalty too
            (复利, compounding; off by default).
        grace_days: days after a due date within which a payment bears no
            penalty (宽限期; 0 by default).
        allocation: the [`AllocationOrder`][microloan.AllocationOrder].
        excess: the [`ExcessHandling`][microloan.ExcessHandling] of an
            overpayment.
        early_interest: the
            [`EarlyRepaymentInterest`][microloan.EarlyRepaymentInterest]
            convention.

    Raises:
        InvalidValueError: an option that is not one of its choices, or negative grace days.

    Examples:
        >>> ServicingTerms()
        ServicingTerms(penalty_rate='1.5x', penalty_on_interest=False, grace_days=0, allocation='oldest_first', excess='reduce_installment', early_interest='days_used')
        >>> ServicingTerms(grace_days=3, excess="shorten_term").grace_days
        3
    """

    penalty_rate: Rate | PenaltyPreset = attrs.field(default="1.5x", validator=_check_penalty_rate)
    penalty_on_interest: bool = attrs.field(default=False, validator=_check_bool)
    grace_days: int = attrs.field(default=0, validator=_check_grace)
    allocation: AllocationOrder = attrs.field(
        default="oldest_first", validator=option(AllocationOrder)
    )
    excess: ExcessHandling = attrs.field(
        default="reduce_installment", validator=option(ExcessHandling)
    )
    early_interest: EarlyRepaymentInterest = attrs.field(
        default="days_used", validator=option(EarlyRepaymentInterest)
    )

    def penalty_for(self, rate: Rate) -> Rate:
        """The penalty rate for a loan at contract `rate`.

        Examples:
            >>> ServicingTerms().penalty_for(Rate.daily("0.05%"))
            Rate.daily('0.075%')
            >>> ServicingTerms(penalty_rate=Rate.daily("0.1%")).penalty_for(Rate.annual("18%"))
            Rate.daily('0.1%')
        """
        if isinstance(self.penalty_rate, Rate):
            return self.penalty_rate
        return rate.scaled(_PENALTY_FACTORS[self.penalty_rate])
