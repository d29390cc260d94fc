"""The lender's books: daily accrual, non-accrual, the journal, provisions and expected loss.

The wing reads each loan's public history (its transactions and positions) and books it:
[`Loan.accruals`][microloan.Loan.accruals] and
[`Loan.journal`][microloan.Loan.journal] (and the same on a credit line) are thin
delegations here. The core never imports the wing at import time. The explanation page
*The lender's books* gives the rules and their sources.
"""

from microloan.accounting.accounts import ChartOfAccounts
from microloan.accounting.accrual import (
    AccrualComponent,
    AccrualEntry,
    Book,
    NonAccrualPolicy,
)
from microloan.accounting.ecl import ExpectedCreditLoss, expected_credit_loss, lifetime_pd
from microloan.accounting.journal import (
    EntryKind,
    JournalEntry,
    TrialBalance,
    portfolio_journal,
    trial_balance,
)
from microloan.accounting.provisioning import (
    PROVISION_PRESETS,
    PROVISION_RATE_RANGES,
    ProvisionPreset,
    Provisions,
    provisions,
)
from microloan.terms import NON_ACCRUAL_DAYS  # the core declares the default

__all__ = [
    "NON_ACCRUAL_DAYS",
    "AccrualComponent",
    "AccrualEntry",
    "Book",
    "NonAccrualPolicy",
    "ChartOfAccounts",
    "EntryKind",
    "JournalEntry",
    "TrialBalance",
    "portfolio_journal",
    "trial_balance",
    "PROVISION_PRESETS",
    "PROVISION_RATE_RANGES",
    "ProvisionPreset",
    "Provisions",
    "provisions",
    "ExpectedCreditLoss",
    "expected_credit_loss",
    "lifetime_pd",
]
