"""The cost of credit: internal rates of return and the APR the PBoC requires.

PBoC announcement [2021] No. 3 makes lenders disclose an annualised rate that covers
interest and directly related fees over the principal actually outstanding: the
periodic internal rate of return (IRR) of the borrower's cash flows, annualised either
compounded, (1 + IRR)^n − 1 (the "IRR method"), or simply, IRR × n (which must be
labelled simple). [`irr`][microloan.irr] solves equally spaced flows,
[`xirr`][microloan.xirr] dated ones (ACT/365, like the spreadsheet function) and
[`apr`][microloan.apr] annualises.

The solver works on z = (1 + r)^(−1/D) in (0, 1] (or its reciprocal for negative
rates), where the net present value is a polynomial: Newton's method in binary floating
point inside a bracket that always holds a sign change (bisection whenever a Newton step
would leave it), then Newton steps evaluated in 34-digit `Decimal` to polish (two: the
second leaves nothing the 34 digits hold). Flows with one sign change have exactly one
rate (Descartes' rule of signs); flows with several are searched on a fine grid and
refused when they have more than one rate, never answered with an arbitrary one.

A loan's flows (one amount, then every later one of the other sign, at a positive rate)
take a shorter route to the same root, in `irr` and in `xirr` under act/365 and act/360:
Halley's method in floating point (on z for `irr`; on x = −ln z for `xirr`, where the
net present value Σ a_i e^(−x d_i) of flows d_i days from the first is nearly straight),
then one `Decimal` step: p(z) evaluated in 34 digits (for dated flows by Horner's rule
on the gaps between the days, each distinct gap's power of z computed once), divided by
p'(z) in floating point, with the second-order term (p''/2p')(p/p')² that leaves an
error of the order of the cube of a ~1e-16 step. The two routes agree to the 25th
significant digit, at most one unit apart there (a property test compares them); any
flows that would leave the short route take the general one from the start.
"""

from __future__ import annotations

import calendar
import decimal
import math
import operator
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal, localcontext
from functools import partial, reduce
from itertools import accumulate
from typing import Any, Final, Literal

from microloan._decimal import CONTEXT, ONE, ZERO, in_context, to_decimal
from microloan._validators import MAX_EXPONENT, check_items, check_magnitude, check_option
from microloan.daycount import DAY_COUNTS, DayCount
from microloan.daycount import day_count as count_days
from microloan.errors import ConvergenceError, invalid, wrong_type
from microloan.money import Money

AprMethod = Literal["compound", "simple"]
"""How a periodic rate is annualised: `"compound"` (1 + r)^n − 1, or `"simple"` r × n."""

_FLOAT_STEPS: Final = 200
_DECIMAL_STEPS: Final = 12
_DECIMAL_TOLERANCE: Final = Decimal("1e-12")
_BISECTION_TOLERANCE: Final = Decimal("1e-32")
_SAME_ROOT: Final = Decimal("1e-9")
_MAX_POWER: Final = 100_000
#: At most one period a day (366 in a leap year): a finer spacing is no loan's.
_MAX_PERIODS_PER_YEAR: Final = 366
#: Results are given to 25 significant digits; the polished root is good to more.
_RESULT: Final = CONTEXT.copy()
_RESULT.prec = 25

Amount = Decimal | int | str | Money
_DECIMAL: Final = frozenset({Decimal})


def _amount(value: object, field: str) -> Decimal:
    if isinstance(value, Money):
        return value.amount
    return check_magnitude(field, to_decimal(value, field), value)


def _amounts(flows: Iterable[object]) -> list[Decimal]:
    """The flows as Decimals; finite Decimals pass straight through (the common case)."""
    exact = type(flows)
    values: list[Any] = (
        list(flows) if exact is list or exact is tuple else check_items("flows", flows)
    )
    if (
        set(map(type, values)) == _DECIMAL
        and all(map(Decimal.is_finite, values))
        and max(map(Decimal.adjusted, values)) < MAX_EXPONENT  # 0 for a zero
    ):
        return values  # every check at C speed
    for i, value in enumerate(values):
        # flows are amounts: below MAX_AMOUNT in magnitude, as every Money is
        if type(value) is not Decimal or not value.is_finite():
            values[i] = _amount(value, f"flows[{i}]")
        elif value and value.adjusted() >= MAX_EXPONENT:
            check_magnitude(f"flows[{i}]", value, value)  # refuses it, naming the flow
    return values


def _sign(value: Decimal | float) -> int:
    return (value > 0) - (value < 0)


class _Polynomial:
    """p(z) = Σ c_k z^(e_k) for z in (0, 1]: integer exponents from 0, first and last c_k ≠ 0."""

    __slots__ = ("coefficients", "exponents", "finite", "floats", "horner", "horner_floats")

    def __init__(self, exponents: list[int], coefficients: list[Decimal]) -> None:
        self.exponents = exponents
        self.coefficients = coefficients
        # Dense polynomials (irr) are evaluated by Horner's rule, highest power first.
        self.horner: list[Decimal] | None = None
        self.floats: list[float] = []
        self.horner_floats: list[float] = []
        top = exponents[-1]
        if top + 1 == len(exponents):
            self.horner = coefficients[::-1]
            self.horner_floats = list(map(float, self.horner))
        elif top < 4 * len(exponents) + 8:
            full = [ZERO] * (top + 1)
            for e, c in zip(exponents, coefficients, strict=True):
                full[top - e] = c
            self.horner = full
            self.horner_floats = list(map(float, full))
        else:
            self.floats = list(map(float, coefficients))
        self.finite = not any(map(math.isinf, self.horner_floats or self.floats))

    def reversed(self) -> _Polynomial:
        """z^E p(1/z): the polynomial whose roots in (0, 1) are p's roots above 1."""
        top = self.exponents[-1]
        return _Polynomial(
            [top - e for e in reversed(self.exponents)], list(reversed(self.coefficients))
        )

    def float_value(self, z: float) -> tuple[float, float]:
        """p(z) and p'(z) in binary floating point."""
        value = slope = 0.0
        if self.horner is not None:
            for c in self.horner_floats:
                slope = slope * z + value
                value = value * z + c
            return value, slope
        for c, e in zip(self.floats, self.exponents, strict=True):
            term = c * z**e
            value += term
            slope += e * term
        return value, slope / z

    def decimal_value(self, z: Decimal) -> Decimal:
        """p(z) in the library's 34-digit context (Horner with fused multiply-adds)."""
        value = ZERO
        if self.horner is not None:
            fma = CONTEXT.fma
            for c in self.horner:
                value = fma(value, z, c)
            return value
        previous = 0
        power = ONE
        multiply = CONTEXT.multiply
        for c, e in zip(self.coefficients, self.exponents, strict=True):
            power = multiply(power, CONTEXT.power(z, e - previous))
            previous = e
            value = CONTEXT.fma(c, power, value)
        return value


def _float_root(poly: _Polynomial, low: float, high: float, low_sign: int) -> float:
    """Safeguarded Newton on [low, high], which holds a sign change: a root to ~14 digits."""
    z = high
    for _ in range(_FLOAT_STEPS):
        value, slope = poly.float_value(z)
        if not value:
            return z
        if _sign(value) == low_sign:
            low = z
        else:
            high = z
        if slope:
            step = value / slope
            if abs(step) <= 1e-14 * z:
                return z - step
            candidate = z - step
            if low < candidate < high:
                z = candidate
                continue
        z = (low + high) / 2  # Newton would leave the bracket: bisect instead
        if high - low <= 1e-15 * high:
            return z
    return z


def _decimal_root(
    poly: _Polynomial, start: float, bracket: tuple[float, float], low_sign: int
) -> Decimal:
    """Polish a root in 34-digit Decimal by Newton; bisect the bracket if Newton will not settle."""
    low, high = Decimal(bracket[0]), Decimal(bracket[1])
    root = _newton(poly, Decimal(start), low, high)
    if root is not None:
        return root
    with localcontext(CONTEXT):
        lo, hi = low, high
        for _ in range(400):
            mid = (lo + hi) / 2
            value = poly.decimal_value(mid)
            if not value:
                return mid
            if _sign(value) == low_sign:
                lo = mid
            else:
                hi = mid
            if hi - lo <= _BISECTION_TOLERANCE * hi:
                break
        return (lo + hi) / 2


def _newton(poly: _Polynomial, z: Decimal, low: Decimal, high: Decimal) -> Decimal | None:
    """Newton's method in 34-digit Decimal from z inside (low, high]; `None` if it will not settle.

    Once a step is below 1e-12 z, the error left is of the order of its square (~1e-30
    from a floating point root): one more step takes it below what 34 digits hold.
    """
    settled = False
    for _ in range(_DECIMAL_STEPS):
        value = poly.decimal_value(z)
        if not value:
            return z
        # The derivative only scales the step: binary floating point is accurate enough
        # (a relative error ε in it leaves an error ε × step, below 1e-28 at the end).
        slope = poly.float_value(float(z))[1]
        if not slope or not math.isfinite(slope):
            return None
        step = CONTEXT.divide(value, Decimal(slope))
        candidate = CONTEXT.subtract(z, step)
        if not low < candidate <= high:
            return z if settled else None
        z = candidate
        if settled:
            return z
        settled = CONTEXT.abs(step) <= CONTEXT.multiply(_DECIMAL_TOLERANCE, z)
    return None


def _root_between(poly: _Polynomial, low: float, high: float) -> Decimal:
    low_sign = _sign(poly.coefficients[0]) if low == 0 else _sign(poly.float_value(low)[0])
    start = _float_root(poly, low, high, low_sign) if poly.finite else high
    return _decimal_root(poly, start, (low, high), low_sign)


def _grid() -> list[float]:
    """Points of (0, 1) to look for sign changes at: uniform, and dense towards 1 (r → 0)."""
    points = {k / 4096 for k in range(1, 4096)}
    points.update(1 - 10 ** (-k / 8) for k in range(24, 120))
    return sorted(points)


_GRID: Final = _grid()


def _all_roots(poly: _Polynomial) -> list[tuple[float, float]]:
    """Brackets of every sign change of `poly` on the grid of (0, 1)."""
    brackets = []
    previous_z, previous = 0.0, _sign(poly.coefficients[0])
    for z in [*_GRID, 1.0]:
        current = _sign(poly.float_value(z)[0])
        if current and current != previous:
            brackets.append((previous_z, z))
        if current:
            previous_z, previous = z, current
    return brackets


def _solve(
    exponents: list[int], coefficients: list[Decimal], denominator: int, max_power: int = _MAX_POWER
) -> Decimal:
    """The one rate r at which Σ c_k (1 + r)^(−e_k / denominator) is zero."""
    signs = list(map(Decimal.is_signed, filter(None, coefficients)))
    changes = sum(map(operator.ne, signs, signs[1:]))
    if not changes:
        raise ConvergenceError(
            "flows: no sign change (they must include both an outflow and an inflow), "
            "so there is no rate of return"
        )
    if coefficients[0] and coefficients[-1]:
        poly = _Polynomial(exponents, coefficients)
    else:  # drop zero flows before the first and after the last that is not zero
        first = next(i for i, c in enumerate(coefficients) if c)
        last = len(coefficients) - next(i for i, c in enumerate(reversed(coefficients)) if c)
        base = exponents[first]
        poly = _Polynomial([e - base for e in exponents[first:last]], coefficients[first:last])
    if poly.exponents[-1] > max_power:
        raise invalid("flows", poly.exponents[-1], "span too many periods to solve")
    at_one = reduce(CONTEXT.add, poly.coefficients)
    if not at_one and changes == 1:
        return ZERO
    if changes == 1:
        if at_one.is_signed() == signs[0]:  # the root lies above z = 1: a negative rate
            return _rate(_root_between(poly.reversed(), 0.0, 1.0), denominator, reversed_=True)
        return _rate(_root_between(poly, 0.0, 1.0), denominator, reversed_=False)
    return _only_root(poly, changes, denominator, zero_is_root=not at_one)


@in_context
def _only_root(poly: _Polynomial, changes: int, denominator: int, *, zero_is_root: bool) -> Decimal:
    """Flows with several sign changes: the rate if exactly one fits, else an error.

    The one path of `irr` and `xirr` with bare operators and formatting (the roots'
    differences, the message), so the one that sets the caller's context aside: every
    other step names `CONTEXT`, which spares the fast paths the cost of a context switch.
    """
    found = [ZERO] if zero_is_root else []
    found.extend(
        _rate(_root_between(p, lo, hi), denominator, reversed_=flipped)
        for p, flipped in ((poly, False), (poly.reversed(), True))
        for lo, hi in _all_roots(p)
    )
    roots: list[Decimal] = []
    for root in sorted(found):  # one root seen from two brackets (float noise) counts once
        if not roots or abs(root - roots[-1]) > _SAME_ROOT * max(abs(root), ONE):
            roots.append(root)
    if not roots:
        raise ConvergenceError(
            "flows: the net present value changes sign nowhere, so there is no rate of return"
        )
    plausible = [r for r in roots if -1 < r <= _PLAUSIBLE]
    if len(plausible) == 1 and len(roots) > 1:
        return plausible[0]  # the others are absurd magnitudes, not rates to report
    if len(roots) > 1:
        raise ConvergenceError(
            f"flows: several rates of return ({_several(roots, plausible)}); the flows change sign "
            f"{changes} times and no single rate describes them"
        )
    return roots[0]


def _several(roots: list[Decimal], plausible: list[Decimal]) -> str:
    """The plausible roots (two or more, or none) as decimals and how many others there are.

    Plausible: above −100% and at most 100 (10,000%) a period. When none is, the
    first few others are shown in scientific form.
    """
    others = len(roots) - len(plausible)
    if not plausible:
        return ", ".join(f"{r:.3e}" for r in roots[:3]) + (" …" if len(roots) > 3 else "")
    shown = ", ".join(f"{CONTEXT.quantize(r, Decimal('1e-6')).normalize():f}" for r in plausible)
    return shown + (f", and {others} implausible" if others else "")


_PLAUSIBLE: Final = Decimal(100)
"""The largest rate a period (10,000%) shown as a decimal among several roots."""


def _rate(z: Decimal, denominator: int, *, reversed_: bool) -> Decimal:
    """Back from z to r: z = (1 + r)^(−1/D), or its reciprocal when `reversed_`.

    The result is rounded to 25 significant digits, well within the solver's accuracy,
    so that a rate that is exact (10%) comes out exact rather than 0.1000…0006.
    """
    growth = z if denominator == 1 else CONTEXT.power(z, denominator)
    if not reversed_:
        growth = CONTEXT.divide(ONE, growth)
    return _RESULT.plus(CONTEXT.subtract(growth, ONE))


def irr(flows: Iterable[Amount]) -> Decimal:  # every operation names CONTEXT: see `_only_root`
    """The periodic internal rate of return of equally spaced cash flows.

    The rate r at which Σ flows[t] / (1 + r)^t = 0, t = 0, 1, 2 …; the sign convention
    is yours (a borrower: the amount received negative, repayments positive).

    Args:
        flows: at least two amounts (`Decimal`, `int`, `str` or `Money`), the first at
            t = 0, one period apart; zeros for periods without a flow.

    Returns:
        The rate per period as a `Decimal` fraction, accurate to well over 10 significant
        digits (given to 25 significant digits).

    Raises:
        ConvergenceError: the flows have no sign change, their net present value has no
            root, or they have several rates of return (they change sign more than once
            and more than one rate fits).
        InvalidValueError: fewer than two flows, or an amount that is not a number.
        InvalidTypeError: a float amount.

    Examples:
        PBoC [2021] No. 3 worked example: 100,000 lent with a 1,000 fee, repaid in
        12 × 8,833.30.

        >>> from decimal import Decimal
        >>> rate = irr([-99_000] + [Decimal("8833.30")] * 12)
        >>> round(rate * 100, 5)  # 1.06698% a month
        Decimal('1.06698')
        >>> irr([-100, 110]) == Decimal("0.1")
        True
    """
    amounts = _amounts(flows)
    if len(amounts) < 2:
        raise invalid("flows", len(amounts), "flows given; at least two are needed")
    rate = _loan_rate(amounts)
    if rate is not None:
        return rate
    return _solve(list(range(len(amounts))), amounts, 1)


def _loan_rate(amounts: list[Decimal]) -> Decimal | None:
    """`irr`'s fast path for a loan's flows: the general solver's method, without its objects.

    It applies to flows whose first amount is of one sign and every later one of the
    other sign or zero, the last not zero, with a positive rate (the flows add up to the
    sign of the later ones): a loan and its repayments. Their polynomial p is monotone
    and convex (or concave) on (0, 1], with exactly one root there, which Halley's
    method from a first-order guess reaches in floating point in two or three steps
    inside the bracket [0, 1]; one step in 34-digit `Decimal` (`_polished`) then
    polishes it (the results agree with the general solver's to the 25th significant
    digit, at most one unit apart there). It returns `None` whenever the flows are of
    another kind or a step would leave this path, and the general solver answers from
    the start.
    """
    floats = _loan_floats(amounts)
    if floats is None:
        return None
    start = _halley_root(floats[::-1])
    if start is None:
        return None
    z, slope, bend = start
    exact = _start(z)
    value = reduce(partial(CONTEXT.fma, exact), amounts[-2::-1], amounts[-1])  # Horner
    polished = _polished(exact, value, slope, bend, z)
    return None if polished is None else _rate(polished, 1, reversed_=False)


def _start(z: float) -> Decimal:
    """A root found in floating point as a `Decimal` to start polishing from.

    Its exact value, to 34 digits, for less than `Decimal(z)` costs: a z in [0.5, 1] is
    an integer times 2^−53 (a z below, far from any loan's, is converted as it is).
    """
    if z >= 0.5:
        return CONTEXT.multiply(Decimal(int(z * 9007199254740992.0)), _TWO_TO_MINUS_53)
    return Decimal(z)


_TWO_TO_MINUS_53: Final = Decimal(2.0**-53)  # exact


def _polished(z: Decimal, value: Decimal, slope: float, bend: float, near: float) -> Decimal | None:
    """One Newton step from z, p(z) given in `Decimal`, p'(z) and p''(z) / 2p'(z) in floats.

    The step, δ = p/p' + (p''/2p') (p/p')² (Newton's, and the term that leaves an error
    of the order of δ³, not δ²), is of the order of the floating point root's error
    (~1e-16): it needs no more than floating point accuracy, a relative error ε in the
    slope leaving an error ε δ (~1e-31). It is taken to the nearest 1e-34, the last
    digit of a z in [0.1, 1). `None` when the step is larger than 1e-12 z (`near`, z in
    floating point: the floating point root was not good enough) or takes z out of (0, 1].
    """
    if not value:
        return z
    newton = float(value) / slope
    if not abs(newton) <= 1e-12 * near:
        return None
    step = newton + bend * newton * newton
    polished = CONTEXT.subtract(z, Decimal(round(step * 1e34)).scaleb(-34, CONTEXT))
    return polished if ZERO < polished <= ONE else None


def _loan_floats(amounts: Sequence[Decimal]) -> list[float] | None:
    """A loan's flows as floats, in order; `None` if they are not a loan's flows.

    The amounts must be finite; any other check is made here on the floats (so that
    `xirr`'s fast path need not make it on every `Decimal`): none of them zero beyond
    the reach of floating point, and together below `MAX_AMOUNT` in magnitude.
    """
    if not amounts[0] or not amounts[-1] or len(amounts) > _MAX_POWER + 1:
        return None
    floats: list[float] = []
    previous = amounts[0]
    number = float(previous)
    for amount in amounts:
        # each run of one value converted once (float() is slow; hashing is slower)
        if amount is not previous and amount != previous:
            number, previous = float(amount), amount
            if not number and amount:
                return None  # too small for floating point: its sign would be lost
        floats.append(number)
    # One sign change (zeros aside), right after the first flow: the floats keep the signs.
    first = floats[0]
    negative = first < 0
    later = floats[1:]
    if (min(later) < 0) if negative else (max(later) > 0):
        return None
    total = sum(floats)
    magnitude = abs(total - first) + abs(first)  # Σ |flows|: the later ones are of one sign
    if not 1e-290 < magnitude < 1e18:  # MAX_AMOUNT (and neither infinite nor NaN)
        return None
    # The sign of the flows' sum, p(1), must be the later flows' (a positive rate): in
    # floating point when it is far enough from zero to be certain (the conversion and
    # summation errors stay below 1e-10 of the magnitude), else in Decimal.
    if abs(total) > 1e-10 * magnitude:
        return None if (total < 0) == negative else floats
    at_one = reduce(CONTEXT.add, amounts)
    return None if not at_one or at_one.is_signed() == negative else floats


def _halley_root(horner: list[float]) -> tuple[float, float, float] | None:
    """Halley's method inside the bracket [0, 1]: the root z, p'(z) and p''(z) / 2p'(z)."""
    low_sign = -1 if horner[-1] < 0 else 1
    # Start near the root: for a loan of P repaid by payments totalling T over n
    # periods, r ≈ 2(T − P) / (P(n + 1)) (exact to first order for level payments).
    lent = abs(horner[-1])
    repaid = abs(sum(horner[:-1]))
    guess = 2 * (repaid - lent) / (lent * len(horner)) if lent else 0.0
    low, high, z = 0.0, 1.0, 1 / (1 + guess) if guess > 0 else 1.0
    # Halley's error after a step s is of the order of (n s / z)² s, n the degree, far
    # below the floats' own once n s <= 1e-7 z; p' moved by p'' to the new z is then
    # wrong by (n s / z)² / 2 <= 5e-15 of itself, which leaves ~1e-31 in the Decimal
    # step. The second step from the guess is nearly always the last.
    settled = 1e-7 / len(horner)
    step = slope = curve = 0.0
    for _ in range(_FLOAT_STEPS):
        value = slope = curve = 0.0
        for c in horner:
            curve = curve * z + slope
            slope = slope * z + value
            value = value * z + c
        if not value:
            step = 0.0
            break
        if (value > 0) - (value < 0) == low_sign:
            low = z
        else:
            high = z
        denominator = slope - value * curve / slope if slope else 0.0
        if not denominator:
            return None
        step = value / denominator
        z -= step
        if abs(step) <= settled * z:
            break
        if not low < z < high:
            return None  # the general solver bisects here
    else:
        return None
    slope -= 2 * curve * step  # p' moved to the last z by p'' (curve is p'' / 2)
    if not 0 < z <= 1 or not slope or not math.isfinite(slope):
        return None
    return z, slope, curve / slope


def _dated_loan_rate(
    exponents: list[int], gaps: list[int], amounts: list[Decimal], basis: int
) -> Decimal | None:
    """`xirr`'s fast path for a loan's dated flows: `_loan_rate` on sparse exponents.

    The flows (a day count d_i from the first date each, in increasing order, and the
    `gaps` between them) must be a loan's, as `_loan_rate` takes them: the first amount
    of one sign, every later one of the other sign or zero, adding up to the later
    ones' sign (a positive rate). Then p(z) = Σ a_i z^(d_i), z = (1 + r)^(−1/basis), is
    monotone and convex (or concave) on (0, 1] with its one root there; Halley's method
    on x = −ln z from x = 0 reaches it in floating point (`_sparse_halley_root`), and
    one step in 34-digit `Decimal` (`_polished`: p(z) by Horner's rule on the gaps)
    polishes it. The rate agrees with the general solver's to the 25th significant
    digit, at most one unit apart there. `None` whenever the flows are of another kind
    or a step would leave this path.
    """
    floats = _loan_floats(amounts)
    if floats is None or exponents[-1] > _MAX_POWER:
        return None
    start = _sparse_halley_root(floats, exponents)
    if start is None:
        return None
    z, slope, bend = start
    exact = _start(z)
    powers = _gap_powers(exact, gaps)
    # p(z) by Horner's rule on the gaps: a_0 + z^(g_1) (a_1 + z^(g_2) (a_2 + …))
    fma = CONTEXT.fma
    value = amounts[-1]
    for factor, amount in zip(
        map(powers.__getitem__, reversed(gaps)), amounts[-2::-1], strict=True
    ):
        value = fma(value, factor, amount)
    polished = _polished(exact, value, slope, bend, z)
    return None if polished is None else _rate(polished, basis, reversed_=False)


def _gap_powers(z: Decimal, gaps: list[int]) -> dict[int, Decimal]:
    """z^g for each distinct gap g, each from the one below it.

    A month's 28 to 31 days take one power and three products.
    """
    powers: dict[int, Decimal] = {1: z}
    below, power = 0, ONE
    for gap in sorted(set(gaps)):
        difference = gap - below
        factor = powers.get(difference) or (
            CONTEXT.multiply(z, z) if difference == 2 else CONTEXT.power(z, difference)
        )
        power = CONTEXT.multiply(power, factor) if below else factor
        powers[gap] = power
        below = gap
    return powers


def _sparse_halley_root(
    floats: list[float], exponents: list[int]
) -> tuple[float, float, float] | None:
    """The root z in (0, 1) of p(z) = Σ a_i z^(d_i), p'(z) and p''(z) / 2p'(z), in floats.

    Halley's method runs on f(x) = p(e^(−x)) = Σ a_i e^(−x d_i), x > 0, which for a
    loan's flows is monotone and convex (or concave): far closer to its tangent than
    p, a polynomial of high degree, so that a step from x = 0 and two evaluations
    (rarely three) reach the root, inside the bracket each step narrows.
    """
    negative = floats[0] < 0  # the sign of f(x) for large x, beyond the root
    mul = operator.mul
    weighted = list(map(mul, floats, exponents))  # a_i d_i
    curved = list(map(mul, weighted, exponents))  # a_i d_i²
    low, high, x = 0.0, math.inf, 0.0
    # Halley's error after a step s is of the order of (d s)² s, far below the floats'
    # own; stopping when d s <= 1e-8 (d the last day) leaves f' moved by f'' to the new x
    # (below) wrong by (d s)² / 2 <= 5e-17 of itself. The second step from x = 0 is
    # usually the last (d s of 1e-16 to 1e-10).
    settled = 1e-8 / exponents[-1]
    # f, f' and f'' at x = 0
    value, slope, curve = sum(floats), -sum(weighted), sum(curved)
    # f is evaluated at the x of the float e^(−x) its powers are taken of, not at x:
    # they differ by ~1e-16, which the powers of ~d_i would make an error of d_i × 1e-16
    # in f', and in the Decimal correction
    at = 0.0
    for _ in range(_FLOAT_STEPS):
        if x:
            power = math.exp(-x)
            at = -math.log(power)
            terms = list(map(power.__pow__, exponents))
            value = sum(map(mul, floats, terms))
            slope = -sum(map(mul, weighted, terms))
            curve = sum(map(mul, curved, terms))
        if not value:
            break
        if (value < 0) == negative:
            high = at
        else:
            low = at
        if not slope:
            return None
        denominator = slope - value * curve / (2 * slope)
        step = value / denominator if (denominator < 0) == (slope < 0) else value / slope
        x = at - step
        if abs(step) <= settled:
            break
        if not low < x < high:
            return None  # the general solver bisects here
    else:
        return None
    z = math.exp(-x)
    slope += curve * (-math.log(z) - at)  # f' moved by f'' to the x of z
    if not 0 < z <= 1 or not slope or not math.isfinite(slope):
        return None
    # p'(z) = −f'(x) / z and p''(z) = (f''(x) + f'(x)) / z²
    return z, -slope / z, -(curve + slope) / (2 * z * slope)


def xirr(
    dated_flows: Iterable[tuple[date, Amount]], day_count: DayCount = "act/365"
) -> Decimal:  # no context switch: see `_only_root`
    """The annual internal rate of return of dated cash flows, on ACT/365 like `XIRR`.

    The rate r at which Σ amount_i / (1 + r)^t_i = 0, t_i the year fraction from
    date_0, the earliest date, to date_i under `day_count`: (date_i − date_0) / 365
    by default, as the spreadsheet function counts. Flows on the same date (or, under
    a 30/360 count, the same count of days) are added together; the order does not
    matter.

    A loan's flows under act/365 or act/360 — the first amount of one sign, every later
    one of the other sign (or zero), adding up to a positive rate, as
    `Schedule.dated_cash_flows` gives them — take a fast path: Halley's method in
    floating point, then one step in 34-digit `Decimal`; it gives the general solver's
    rate to the 25th significant digit (at most one unit apart there). Its input is
    checked fastest as a list or tuple of `(date, Decimal)` tuples in date order; any
    other form is checked pair by pair and gives the same rate.

    Args:
        dated_flows: `(date, amount)` pairs, amounts as in [`irr`][microloan.irr].
        day_count: the [`DayCount`][microloan.DayCount] of the year fractions:
            `"act/365"` (default, spreadsheets' XIRR and pyxirr's default),
            `"act/360"`, `"act/act"` (ISDA: each calendar year's days over its
            length) or a 30/360 variant.

    Returns:
        The annual rate as a `Decimal` fraction, to well over 10 significant digits.

    Raises:
        ConvergenceError: no sign change, no root, or several rates of return.
        InvalidValueError: fewer than two distinct dates, or a bad amount.
        InvalidTypeError: a date that is not a `datetime.date`, or a float amount.

    Examples:
        The example of the spreadsheet function's documentation (Excel and LibreOffice
        XIRR): 0.373362535, i.e. 37.34% (the spreadsheet stops at an accuracy of
        0.000001%; the exact root is 0.3733625335…).

        >>> from datetime import date
        >>> flows = [(date(2008, 1, 1), -10000), (date(2008, 3, 1), 2750),
        ...          (date(2008, 10, 30), 4250), (date(2009, 2, 15), 3250),
        ...          (date(2009, 4, 1), 2750)]
        >>> round(xirr(flows), 10)
        Decimal('0.3733625335')

        A year at 10% on 30/360 is one year; on act/360 it is 365/360 of a year:

        >>> flows = [(date(2025, 1, 1), -1000), (date(2026, 1, 1), 1100)]
        >>> round(xirr(flows), 10), round(xirr(flows, day_count="30/360"), 10)
        (Decimal('0.1000000000'), Decimal('0.1000000000'))
        >>> round(xirr(flows, day_count="act/360"), 6)
        Decimal('0.098565')
    """
    convention: DayCount = "act/365"
    option: object = day_count  # any object may come: the default is checked at once
    if type(option) is not str or option != "act/365":
        convention = check_option(
            "day_count",
            day_count,
            DayCount,
            reason=f"is not a day count; use one of {list(DAY_COUNTS)}",
        )
    basis = _ACTUAL.get(convention)
    if basis is not None:
        return _actual_days_rate(dated_flows, basis)
    by_day = _checked_by_day(dated_flows)
    days = sorted(by_day)
    origin = days[0]
    by_time: dict[int, Decimal] = {}
    if convention == "act/act":  # t = Σ days / year length: in units of 1 / (365 × 366)
        basis, max_power = 365 * 366, _MAX_POWER * 366
        for d in days:
            common = sum(
                (min(d, date(y + 1, 1, 1)) - max(origin, date(y, 1, 1))).days
                for y in range(origin.year, d.year + 1)
                if not calendar.isleap(y)
            )
            units = 366 * common + 365 * ((d - origin).days - common)
            by_time[units] = CONTEXT.add(by_time.get(units, ZERO), by_day[d])
    else:  # the 30/360 counts: two dates may count alike
        basis, max_power = 360, _MAX_POWER
        for d in days:  # no contract, so no maturity: "30e/360 isda" moves every month end
            units = count_days(origin, d, convention)
            by_time[units] = CONTEXT.add(by_time.get(units, ZERO), by_day[d])
    times = sorted(by_time)
    if len(times) < 2:
        raise invalid(
            "dated_flows", len(times), f"distinct times under {convention}; at least two are needed"
        )
    step = reduce(math.gcd, times, basis)
    return _solve(
        [t // step for t in times], [by_time[t] for t in times], basis // step, max_power // step
    )


def _actual_days_rate(dated_flows: object, basis: int) -> Decimal:
    """`xirr` under act/365 or act/360 (`basis`): whole days from the first date."""
    ascending = _ascending(dated_flows)
    if ascending is not None:  # the common input: already one a date, in order
        rate = _dated_loan_rate(*ascending, basis)
        if rate is not None:
            return rate
    by_day = _checked_by_day(dated_flows)
    days = sorted(by_day)
    origin = days[0].toordinal()
    exponents = [d.toordinal() - origin for d in days]
    amounts = [by_day[d] for d in days]
    if ascending is None:
        gaps = list(map(operator.sub, exponents[1:], exponents))
        rate = _dated_loan_rate(exponents, gaps, amounts, basis)
        if rate is not None:
            return rate
    return _solve(exponents, amounts, basis)


def _checked_by_day(dated_flows: object) -> dict[date, Decimal]:
    """`_by_day`, refusing flows on fewer than two distinct dates."""
    by_day = _by_day(dated_flows)
    if len(by_day) < 2:
        raise invalid("dated_flows", len(by_day), "distinct dates given; at least two are needed")
    return by_day


_ACTUAL: Final[dict[str, int]] = {"act/365": 365, "act/360": 360}
"""The actual-day counts and their years' days: `xirr` solves them on whole days."""
_TUPLE: Final = frozenset({tuple})
_DATE: Final = frozenset({date})


def _ascending(dated_flows: object) -> tuple[list[int], list[int], list[Decimal]] | None:
    """The common input at C speed: a list or tuple of `(date, Decimal)` tuples.

    The days from the first date, the gaps between them and the amounts when every
    date is a `date` later than the one before and every amount a finite `Decimal`:
    then `_by_day` would give the same flows, already one a date and in order. The
    amounts are not checked further (`_loan_floats` does for the fast path, and any
    flows it does not take go through `_by_day`). `None` for any other input.
    """
    if type(dated_flows) is not list and type(dated_flows) is not tuple:
        return None
    pairs: Sequence[Any] = dated_flows
    try:
        if len(pairs) < 2 or set(map(type, pairs)) != _TUPLE:
            return None
        days, amounts = zip(*pairs, strict=True)  # ValueError: not every tuple a pair
        # TypeError: an amount that is not a Decimal (a subclass is taken as it is, as
        # `_by_day` takes it)
        if set(map(type, days)) != _DATE or not all(map(Decimal.is_finite, amounts)):
            return None
    except (TypeError, ValueError):
        return None
    ordinals = list(map(date.toordinal, days))
    gaps = list(map(operator.sub, ordinals[1:], ordinals))
    if min(gaps) <= 0:
        return None
    return list(accumulate(gaps, initial=0)), gaps, list(amounts)


def _by_day(dated_flows: object) -> dict[date, Decimal]:
    """`xirr`'s flows checked, and added up by date."""
    by_day: dict[date, Decimal] = {}
    exact = type(dated_flows)
    pairs: Iterable[Any] = (
        dated_flows  # type: ignore[assignment]
        if exact is list or exact is tuple
        else check_items("dated_flows", dated_flows, "a sequence of (date, amount) pairs")
    )
    for i, pair in enumerate(pairs):
        # the common case, a tuple of a date and a non-zero Decimal, without the general checks
        if type(pair) is not tuple or len(pair) != 2 or type(pair[0]) is not date:
            if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
                raise wrong_type(f"dated_flows[{i}]", pair, "a (date, amount) pair")
            if isinstance(pair[0], datetime) or not isinstance(pair[0], date):
                raise wrong_type(f"dated_flows[{i}][0]", pair[0], "a datetime.date")
        day, value = pair
        if type(value) is Decimal and value and value.is_finite():
            amount = value
            if value.adjusted() >= MAX_EXPONENT:
                _amount(value, f"dated_flows[{i}][1]")  # refuses it, naming the flow
        else:
            amount = _amount(value, f"dated_flows[{i}][1]")
        by_day[day] = CONTEXT.add(by_day.get(day, ZERO), amount)
    return by_day


@in_context
def apr(
    flows: Iterable[Amount],
    periods_per_year: int | Decimal | str = 12,
    method: AprMethod = "compound",
) -> Decimal:
    """The annualised rate of equally spaced cash flows: the APR of PBoC [2021] No. 3.

    Args:
        flows: the borrower's flows, as in [`irr`][microloan.irr]: the net amount
            received (principal less upfront fees) negative, then every payment.
        periods_per_year: periods per year of the spacing: 12 (default) for monthly, 52
            weekly, 26 biweekly, 360 / N or 365 / N for every N days.
        method: `"compound"` (default) = (1 + IRR)^n − 1, the IRR method; `"simple"` =
            IRR × n, which the rule requires to be labelled simple.

    Returns:
        The annual rate as a `Decimal` fraction.

    Raises:
        ConvergenceError: the flows have no single rate of return.
        InvalidValueError: `periods_per_year` not positive or above 366 (one period a
            day), a flow beyond [`MAX_AMOUNT`][microloan.MAX_AMOUNT], or an unknown method.

    Examples:
        PBoC [2021] No. 3 worked example: simple 12.80%, compound 13.58%.

        >>> from decimal import Decimal
        >>> flows = [-99_000] + [Decimal("8833.30")] * 12
        >>> round(apr(flows, method="simple") * 100, 2), round(apr(flows) * 100, 2)
        (Decimal('12.80'), Decimal('13.58'))
    """
    n = to_decimal(periods_per_year, "periods_per_year")
    if n <= 0:
        raise invalid("periods_per_year", periods_per_year, "must be positive")
    if n > _MAX_PERIODS_PER_YEAR:
        raise invalid(
            "periods_per_year",
            periods_per_year,
            f"must be at most {_MAX_PERIODS_PER_YEAR} (one period a day)",
        )
    check_option("method", method, AprMethod, reason='must be "compound" or "simple"')
    rate = irr(flows)
    return annualise(rate, n, method)


@in_context
def annualise(rate: Decimal, periods_per_year: Decimal, method: AprMethod) -> Decimal:
    """A periodic rate as an annual one: compound (1 + r)^n − 1 or simple r × n (unchecked)."""
    try:
        if method == "simple":
            return CONTEXT.multiply(rate, periods_per_year)
        return CONTEXT.subtract(CONTEXT.power(CONTEXT.add(ONE, rate), periods_per_year), ONE)
    except decimal.Overflow:
        raise invalid(
            "flows",
            rate,
            f"(their periodic rate) is too large to annualise over {periods_per_year} periods",
        ) from None
