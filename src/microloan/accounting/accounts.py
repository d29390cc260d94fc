"""The chart of accounts: the ledger accounts a lender books its loans to.

Each role is an attribute holding the account's name; a lender renames an account
(`ChartOfAccounts(cash="1001 库存现金")`) or maps two roles to one account (penalty
receivable booked with interest receivable) and every journal follows.
"""

from __future__ import annotations

from typing import Final, final

import attrs

from microloan.errors import invalid, wrong_type


def check_account(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """An attrs validator: an account name is a non-empty str."""
    if not isinstance(value, str):
        raise wrong_type(attribute.name, value, "an account name (a str)")
    if not value.strip():
        raise invalid(attribute.name, value, "must not be empty")


def _account(name: str) -> str:
    return attrs.field(default=name, validator=check_account)


@final
@attrs.frozen(kw_only=True)
class ChartOfAccounts:
    """The accounts the journal books to, one attribute per role; rename any by keyword.

    Assets and expenses are debit-normal; liabilities, income and the off-balance contra
    account are credit-normal (`credit_normal` lists them), which is how
    [`TrialBalance.balance`][microloan.TrialBalance.balance] signs a balance.

    Attributes:
        cash: cash and bank (the money lent and received).
        loans_receivable: principal lent and not repaid (asset).
        interest_receivable: contract interest accrued and unpaid (asset).
        penalty_receivable: penalty interest accrued and unpaid (asset).
        fees_receivable: fees charged and unpaid (asset).
        interest_income: contract interest earned (income).
        penalty_income: penalty interest earned (income).
        fee_income: fees earned (income).
        borrower_credits: money held for borrowers, an overpayment (liability).
        loan_loss_allowance: the provision held against the loans (contra-asset).
        provision_expense: the charge that builds the allowance (expense).
        write_offs: balances written off (expense, 核销).
        recoveries: money received on written-off loans (income).
        off_balance_interest: income owed by loans in non-accrual, kept off the balance
            sheet (表外应收利息, a memo account).
        off_balance_contra: the memo account's other side.

    Examples:
        >>> chart = ChartOfAccounts(cash="1001 Bank", penalty_receivable="interest_receivable")
        >>> chart.cash, chart.penalty_receivable, chart.loans_receivable
        ('1001 Bank', 'interest_receivable', 'loans_receivable')
    """

    cash: str = _account("cash")
    loans_receivable: str = _account("loans_receivable")
    interest_receivable: str = _account("interest_receivable")
    penalty_receivable: str = _account("penalty_receivable")
    fees_receivable: str = _account("fees_receivable")
    interest_income: str = _account("interest_income")
    penalty_income: str = _account("penalty_income")
    fee_income: str = _account("fee_income")
    borrower_credits: str = _account("borrower_credits")
    loan_loss_allowance: str = _account("loan_loss_allowance")
    provision_expense: str = _account("provision_expense")
    write_offs: str = _account("write_offs")
    recoveries: str = _account("recoveries")
    off_balance_interest: str = _account("off_balance_interest")
    off_balance_contra: str = _account("off_balance_contra")

    @property
    def credit_normal(self) -> frozenset[str]:
        """The accounts whose balance is credits less debits (liabilities, income, contras)."""
        return frozenset(getattr(self, role) for role in _CREDIT_ROLES)

    @property
    def accounts(self) -> tuple[str, ...]:
        """Every account of the chart, once each, in the order of the roles."""
        names = (getattr(self, a.name) for a in attrs.fields(ChartOfAccounts))
        return tuple(dict.fromkeys(names))


_CREDIT_ROLES: Final = (
    "interest_income",
    "penalty_income",
    "fee_income",
    "borrower_credits",
    "loan_loss_allowance",
    "recoveries",
    "off_balance_contra",
)
