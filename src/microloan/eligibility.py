"""Eligibility: who may apply, as a composable policy of small rules.

An [`Applicant`][microloan.Applicant] holds the facts a lender checks; an
[`EligibilityRule`][microloan.EligibilityRule] is a name and a small function
that returns a reason when the applicant fails it (or None); an
[`EligibilityPolicy`][microloan.EligibilityPolicy] is a tuple of rules, combined
with `+`. [`EligibilityPolicy.evaluate`][microloan.EligibilityPolicy.evaluate]
returns *every* failed rule with its reason, so an applicant can fix them all at
once; an eligible applicant gets an empty list.

The merchant rules of an e-commerce platform's micro-loan business (early 2010s) form
the documented preset
[`EligibilityPolicy.platform_merchant`][microloan.EligibilityPolicy.platform_merchant]:

1. a platform member for at least 6 months (the platform: "more than 6 months");
2. the business registered in one region (Hangzhou, for the platform);
3. aged 18–65, a Chinese citizen, the business's legal representative;
4. a real-name verified payment account with a good record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, final

import attrs

from microloan._validators import check_int, check_items
from microloan._validators import check_name as _check_name
from microloan.daycount import add_months
from microloan.errors import invalid, wrong_type


def _check_optional_date(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
        raise wrong_type(attribute.name, value, "a datetime.date or None")


def _check_optional_str(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if value is not None and not isinstance(value, str):
        raise wrong_type(attribute.name, value, "a str or None")


def _check_bool(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, bool):
        raise wrong_type(attribute.name, value, "a bool")


def _check_facts(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise wrong_type("facts", value, "a dict with str keys")


@final
@attrs.frozen(kw_only=True)
class Applicant:
    """The facts about an applicant that eligibility rules look at.

    Every fact is optional: a rule that needs a missing fact fails with a reason
    saying it is missing (an applicant is not eligible on facts nobody checked).

    Attributes:
        birth_date: the applicant's date of birth.
        member_since: the date the applicant joined the platform.
        citizenship: an ISO 3166 country code (`"CN"`).
        region: where the business is registered (`"Hangzhou"`).
        legal_representative: whether the applicant is the business's legal representative.
        payment_account_verified: whether the payment account is real-name verified.
        payment_record_good: whether the payment account's record is good.
        facts: any further facts a caller's own rules read (`{"shop_rating": 4.8}`).

    Examples:
        >>> from datetime import date
        >>> Applicant(birth_date=date(1990, 5, 1)).age(on=date(2026, 4, 30))
        35
    """

    birth_date: date | None = attrs.field(default=None, validator=_check_optional_date)
    member_since: date | None = attrs.field(default=None, validator=_check_optional_date)
    citizenship: str | None = attrs.field(default=None, validator=_check_optional_str)
    region: str | None = attrs.field(default=None, validator=_check_optional_str)
    legal_representative: bool = attrs.field(default=False, validator=_check_bool)
    payment_account_verified: bool = attrs.field(default=False, validator=_check_bool)
    payment_record_good: bool = attrs.field(default=False, validator=_check_bool)
    facts: dict[str, object] = attrs.field(factory=dict, validator=_check_facts, hash=False)

    def age(self, *, on: date) -> int | None:
        """Age in whole years on `on` (a 29 February birthday falls on 28 February); None if unknown.

        Examples:
            >>> from datetime import date
            >>> Applicant().age(on=date(2026, 2, 28)) is None
            True
            >>> Applicant(birth_date=date(2008, 2, 29)).age(on=date(2026, 2, 28))
            18
        """
        born = self.birth_date
        return None if born is None else _whole_months(born, on) // 12

    def months_member(self, *, on: date) -> int | None:
        """Whole months of platform membership on `on` (by the calendar); None if unknown.

        Examples:
            >>> from datetime import date
            >>> Applicant(member_since=date(2025, 8, 31)).months_member(on=date(2026, 2, 28))
            6
        """
        since = self.member_since
        return None if since is None else max(_whole_months(since, on), 0)


def _whole_months(since: date, on: date) -> int:
    """Whole calendar months from `since` to `on` (negative before `since`)."""
    months = (on.year - since.year) * 12 + on.month - since.month
    return months if add_months(since, months) <= on else months - 1


Check = Callable[[Applicant, date], str | None]


def _check_callable(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not callable(value):
        raise wrong_type("check", value, "a function (applicant, on) -> reason or None")


@final
@attrs.frozen(kw_only=True)
class RuleFailure:
    """A rule an applicant failed, and why.

    Attributes:
        rule: the rule's name.
        reason: what failed, in words, naming the value.

    Examples:
        >>> RuleFailure(rule="age", reason="age 17 is below 18")
        RuleFailure(rule='age', reason='age 17 is below 18')
    """

    rule: str
    reason: str


@final
@attrs.frozen(kw_only=True)
class EligibilityRule:
    """One eligibility rule: a name and a function that says why an applicant fails it.

    `check(applicant, on)` returns None when the applicant passes on date `on`,
    or a reason. Write your own rule as a small function, or use
    [`EligibilityRule.require`][microloan.EligibilityRule.require] for a predicate.

    Attributes:
        name: the rule's name, reported with each failure.
        check: `(applicant, on) -> reason or None`.

    Examples:
        >>> from datetime import date
        >>> def rated(applicant: Applicant, on: date) -> str | None:
        ...     rating = applicant.facts.get("shop_rating")
        ...     return None if rating == "A" else f"shop rating {rating!r} is not A"
        >>> rule = EligibilityRule(name="shop rating", check=rated)
        >>> rule.check(Applicant(facts={"shop_rating": "B"}), date(2026, 1, 1))
        "shop rating 'B' is not A"
    """

    name: str = attrs.field(validator=_check_name)
    check: Check = attrs.field(validator=_check_callable)

    @classmethod
    def require(
        cls, name: str, predicate: Callable[[Applicant], bool], reason: str
    ) -> EligibilityRule:
        """A rule from a yes/no predicate and a fixed reason.

        Examples:
            >>> from datetime import date
            >>> rule = EligibilityRule.require(
            ...     "has shop", lambda a: bool(a.facts.get("shop_id")), "no shop on the platform")
            >>> rule.check(Applicant(), date(2026, 1, 1))
            'no shop on the platform'
        """
        if not callable(predicate):
            raise wrong_type("predicate", predicate, "a function (applicant) -> bool")

        def check(applicant: Applicant, _on: date) -> str | None:
            return None if predicate(applicant) else reason

        return cls(name=name, check=check)

    @classmethod
    def age_between(cls, minimum: int = 18, maximum: int = 65) -> EligibilityRule:
        """Aged `minimum` to `maximum` inclusive on the date of evaluation (18–65 for the platform).

        Examples:
            >>> from datetime import date
            >>> rule = EligibilityRule.age_between()
            >>> rule.check(Applicant(birth_date=date(1960, 1, 1)), date(2026, 1, 1))
            'age 66 is above 65'
        """
        check_int("minimum", minimum)
        check_int("maximum", maximum)
        if maximum < minimum:
            raise invalid("maximum", maximum, f"is below minimum {minimum}")

        def check(applicant: Applicant, on: date) -> str | None:
            age = applicant.age(on=on)
            if age is None:
                return "birth date is missing"
            if age < minimum:
                return f"age {age} is below {minimum}"
            if age > maximum:
                return f"age {age} is above {maximum}"
            return None

        return cls(name="age", check=check)

    @classmethod
    def member_for(cls, months: int = 6) -> EligibilityRule:
        """A platform member for at least `months` whole calendar months (6 for the platform).

        Examples:
            >>> from datetime import date
            >>> rule = EligibilityRule.member_for(6)
            >>> rule.check(Applicant(member_since=date(2025, 9, 2)), date(2026, 3, 1))
            'member for 5 months, fewer than 6'
        """
        if isinstance(months, bool) or not isinstance(months, int):
            raise wrong_type("months", months, "an int")
        if months < 0:
            raise invalid("months", months, "must not be negative")

        def check(applicant: Applicant, on: date) -> str | None:
            held = applicant.months_member(on=on)
            if held is None:
                return "membership date is missing"
            return None if held >= months else f"member for {held} months, fewer than {months}"

        return cls(name="membership", check=check)

    @classmethod
    def region_in(cls, regions: Iterable[str]) -> EligibilityRule:
        """The business registered in one of `regions` (Hangzhou for the platform).

        Examples:
            >>> from datetime import date
            >>> EligibilityRule.region_in(["Hangzhou"]).check(Applicant(region="Ningbo"), date(2026, 1, 1))
            "region 'Ningbo' is not one of ['Hangzhou']"
        """
        return cls._one_of("region", regions, field="regions", what="region names")

    @classmethod
    def citizenship_in(cls, countries: Iterable[str]) -> EligibilityRule:
        """A citizen of one of `countries` (ISO 3166 codes; `["CN"]` for the platform).

        Examples:
            >>> from datetime import date
            >>> EligibilityRule.citizenship_in(["CN"]).check(Applicant(citizenship="CN"), date(2026, 1, 1))
        """
        return cls._one_of("citizenship", countries, field="countries", what="country codes")

    @classmethod
    def _one_of(
        cls, attribute: str, values: Iterable[str] | str, *, field: str, what: str
    ) -> EligibilityRule:
        """A rule that the applicant's `attribute` is one of `values` (a name or several)."""
        allowed = (
            [values]
            if isinstance(values, str)
            else check_items(field, values, f"{what}, such as a list")
        )
        if not allowed or not all(isinstance(v, str) for v in allowed):
            raise invalid(field, values, f"must be one or more {what}")

        def check(applicant: Applicant, _on: date) -> str | None:
            value = getattr(applicant, attribute)
            if value is None:
                return f"{attribute} is missing"
            if value not in allowed:
                return f"{attribute} {value!r} is not one of {allowed}"
            return None

        return cls(name=attribute, check=check)

    @classmethod
    def legal_representative(cls) -> EligibilityRule:
        """The applicant is the business's legal representative (法定代表人).

        Examples:
            >>> from datetime import date
            >>> EligibilityRule.legal_representative().check(Applicant(), date(2026, 1, 1))
            'not the legal representative of the business'
        """
        return cls.require(
            "legal representative",
            lambda a: a.legal_representative,
            "not the legal representative of the business",
        )

    @classmethod
    def verified_payment_account(cls, *, good_record: bool = True) -> EligibilityRule:
        """A real-name verified payment account (and, by default, with a good record).

        Examples:
            >>> from datetime import date
            >>> rule = EligibilityRule.verified_payment_account()
            >>> rule.check(Applicant(payment_account_verified=True), date(2026, 1, 1))
            'payment account record is not good'
        """

        def check(applicant: Applicant, _on: date) -> str | None:
            if not applicant.payment_account_verified:
                return "payment account is not real-name verified"
            if good_record and not applicant.payment_record_good:
                return "payment account record is not good"
            return None

        return cls(name="payment account", check=check)


def _check_rules(_instance: object, _attribute: object, value: Any) -> None:  # noqa: ANN401 - an attrs validator
    if not isinstance(value, tuple) or not all(isinstance(r, EligibilityRule) for r in value):
        raise wrong_type("rules", value, "a tuple of EligibilityRules")
    names = [r.name for r in value]
    if len(set(names)) != len(names):
        raise invalid("rules", names, "name a rule twice; give each rule its own name")


@final
@attrs.frozen(kw_only=True)
class EligibilityPolicy:
    """A set of eligibility rules, evaluated together; combine policies with `+`.

    Attributes:
        rules: the rules, in the order their failures are reported (names unique).

    Examples:
        >>> from datetime import date
        >>> policy = EligibilityPolicy(rules=(EligibilityRule.age_between(18, 65),)) + EligibilityPolicy(
        ...     rules=(EligibilityRule.member_for(6),))
        >>> [f.rule for f in policy.evaluate(Applicant(), on=date(2026, 1, 1))]
        ['age', 'membership']
    """

    rules: tuple[EligibilityRule, ...] = attrs.field(validator=_check_rules)

    @classmethod
    def platform_merchant(cls, *, region: str = "Hangzhou") -> EligibilityPolicy:
        """The platform lender's merchant rules as a preset (an example, not a promise).

        Member ≥ 6 months, registered in `region`, aged 18–65, a Chinese citizen
        (`"CN"`), the legal representative, a real-name verified payment account
        with a good record.

        Examples:
            >>> from datetime import date
            >>> merchant = Applicant(birth_date=date(1985, 6, 1), member_since=date(2024, 1, 10),
            ...                      citizenship="CN", region="Hangzhou", legal_representative=True,
            ...                      payment_account_verified=True, payment_record_good=True)
            >>> EligibilityPolicy.platform_merchant().evaluate(merchant, on=date(2026, 3, 1))
            []
            >>> [rule.name for rule in EligibilityPolicy.platform_merchant().rules]
            ['membership', 'region', 'age', 'citizenship', 'legal representative', 'payment account']
        """
        return cls(
            rules=(
                EligibilityRule.member_for(6),
                EligibilityRule.region_in([region]),
                EligibilityRule.age_between(18, 65),
                EligibilityRule.citizenship_in(["CN"]),
                EligibilityRule.legal_representative(),
                EligibilityRule.verified_payment_account(),
            )
        )

    def evaluate(self, applicant: Applicant, *, on: date) -> list[RuleFailure]:
        """Every rule `applicant` fails on `on`, with its reason; empty when eligible.

        Examples:
            >>> from datetime import date
            >>> for failure in EligibilityPolicy.platform_merchant().evaluate(
            ...         Applicant(birth_date=date(2010, 1, 1), region="Hangzhou"), on=date(2026, 1, 1)):
            ...     print(f"{failure.rule}: {failure.reason}")
            membership: membership date is missing
            age: age 16 is below 18
            citizenship: citizenship is missing
            legal representative: not the legal representative of the business
            payment account: payment account is not real-name verified
        """
        if not isinstance(applicant, Applicant):
            raise wrong_type("applicant", applicant, "an Applicant")
        if isinstance(on, datetime) or not isinstance(on, date):
            raise wrong_type("on", on, "a datetime.date")
        failures: list[RuleFailure] = []
        for rule in self.rules:
            reason = rule.check(applicant, on)
            if reason is not None:
                failures.append(RuleFailure(rule=rule.name, reason=str(reason)))
        return failures

    def is_eligible(self, applicant: Applicant, *, on: date) -> bool:
        """Whether `applicant` passes every rule on `on`.

        Examples:
            >>> from datetime import date
            >>> EligibilityPolicy(rules=()).is_eligible(Applicant(), on=date(2026, 1, 1))
            True
        """
        return not self.evaluate(applicant, on=on)

    def with_rule(self, rule: EligibilityRule) -> EligibilityPolicy:
        """This policy with one more rule at the end.

        Examples:
            >>> extra = EligibilityRule.require("vip", lambda a: bool(a.facts.get("vip")), "not a VIP")
            >>> len(EligibilityPolicy.platform_merchant().with_rule(extra).rules)
            7
        """
        return EligibilityPolicy(rules=(*self.rules, rule))

    def without(self, name: str) -> EligibilityPolicy:
        """This policy without the rule called `name`.

        Raises:
            InvalidValueError: no rule has that name.

        Examples:
            >>> [r.name for r in EligibilityPolicy.platform_merchant().without("region").rules][:2]
            ['membership', 'age']
        """
        if name not in {r.name for r in self.rules}:
            raise invalid(
                "name", name, f"is not a rule of this policy {[r.name for r in self.rules]}"
            )
        return EligibilityPolicy(rules=tuple(r for r in self.rules if r.name != name))

    def __add__(self, other: object) -> EligibilityPolicy:
        if isinstance(other, EligibilityRule):
            return self.with_rule(other)
        if not isinstance(other, EligibilityPolicy):
            return NotImplemented
        return EligibilityPolicy(rules=(*self.rules, *other.rules))
