"""The control between the billing and the accounts (billing-rules §8.6), without a database.

Two comparisons, each giving rows of what the billing expects, what the accounts hold, their difference and the
journal items that explain it:

1. **Per sales journal, over the period** (``journal_rows``): the invoices and credit notes of the billing runs
   (untaxed, posted or still in draft) against the revenue the journal credits on the ``REVENUE_ACCOUNTS`` (posted
   items). The items that explain a gap are those of an entry still in draft, or of an entry that is not a run
   document (``JOURNAL_CAUSES``): a manual entry in the journal.
2. **Per payer, on the period's last day** (``payer_rows``): the due-date tracking (the ageing of the billing
   documents and payments) less the open items of manual entries, against the general ledger balance of the
   ``RECEIVABLE_ACCOUNTS``. An entry is manual when it is a plain journal entry that none of the ``NOT_MANUAL``
   sources made (a payment, a bank statement line, a billing run, the recovery's own entries: the doubtful
   reclassifications and the write-offs with their reopenings, which carry the claims themselves). The items
   that explain a gap are the open manual items and the items of a matching between two different payers.

A difference is the accounts' figure less the billing's, rounded to the currency; up to ``ROUNDING`` it is a
rounding, not a difference. Payers come by name, the items without a payer last. Amounts are plain numbers; the
caller gives its currency's rounding as a function. The wizard (``essms.accounting.reciprocity``) loads the figures
in grouped queries written from these definitions and writes the rows.
"""

from dataclasses import dataclass

# Half a cent: below it a difference is the rounding of the amounts.
ROUNDING = 0.005

# Account types (Odoo's ``account_type``) of the revenue compared with the journal, and of the receivables.
REVENUE_ACCOUNTS = ("income", "income_other")
RECEIVABLE_ACCOUNTS = ("asset_receivable",)

# A journal item explains a gap of its journal when its entry is in draft, or is not a run document.
DRAFT = "draft"
NOT_A_RUN_DOCUMENT = "not_a_run_document"
JOURNAL_CAUSES = (DRAFT, NOT_A_RUN_DOCUMENT)

# The sources of an entry that make it part of the billing or the recovery, not a manual entry.
PAYMENT = "payment"
STATEMENT_LINE = "statement_line"
RUN = "run"
RECOVERY = "recovery"
NOT_MANUAL = (PAYMENT, STATEMENT_LINE, RUN, RECOVERY)
ENTRY = "entry"  # the move type of a plain journal entry (not an invoice nor a credit note)


def journal_item_explains(draft, run_document):
    """Whether a revenue item of the journal explains a gap: its entry in draft, or not a run document."""
    facts = {DRAFT: draft, NOT_A_RUN_DOCUMENT: not run_document}
    return any(facts[cause] for cause in JOURNAL_CAUSES)


def is_manual(move_type, sources=()):
    """Whether an entry of ``move_type`` made by ``sources`` (among ``NOT_MANUAL``) is a manual entry."""
    return move_type == ENTRY and not set(sources) & set(NOT_MANUAL)


@dataclass(frozen=True)
class Row:
    """One row of the control: ``key`` the journal's or the payer's (``None``: the items without a payer)."""

    key: object
    expected: float
    ledger: float
    difference: float
    has_difference: bool
    causes: tuple = ()  # the journal items (keys) that explain the difference, sorted
    unposted: float = 0.0


def compare(expected, ledger, round_amount):
    """``(difference, has_difference)``: the accounts' figure less the billing's, rounded by ``round_amount``."""
    difference = round_amount(ledger - expected)
    return difference, abs(difference) > ROUNDING


@dataclass(frozen=True)
class JournalFigures:
    """What was loaded for a sales journal: the run documents (``billed``, of which ``unposted`` in draft), the
    posted ``revenue`` and the items explaining a gap (``causes``, keys)."""

    key: object
    billed: float = 0.0
    unposted: float = 0.0
    revenue: float = 0.0
    causes: tuple = ()


def journal_rows(journals, round_amount):
    """(1) A ``Row`` per ``JournalFigures``, in the order given."""
    rows = []
    for journal in journals:
        difference, has_difference = compare(journal.billed, journal.revenue, round_amount)
        rows.append(Row(journal.key, journal.billed, journal.revenue, difference, has_difference,
                        tuple(journal.causes), journal.unposted))
    return rows


def payer_rows(aged, manual, ledger, crossed, names, round_amount):
    """(2) A ``Row`` per payer found in the ageing or the ledger, by name, the items without a payer last.

    ``aged``: {payer: the ageing's open amount}; ``manual``: {payer: (the open amount of its manual items, their
    keys)}; ``ledger``: {payer: the receivable balance}; ``crossed``: {payer: keys of its items matched with
    another payer's}; ``names``: {payer: name}. The payer ``None`` stands for the items without one."""
    payers = set(aged) | set(ledger)
    ordered = sorted((payer for payer in payers if payer is not None), key=lambda payer: names.get(payer) or "")
    ordered += [payer for payer in payers if payer is None]
    rows = []
    for payer in ordered:
        manual_amount, manual_items = manual.get(payer, (0.0, ()))
        expected = aged.get(payer, 0.0) - manual_amount
        balance = ledger.get(payer, 0.0)
        difference, has_difference = compare(expected, balance, round_amount)
        causes = tuple(sorted(set(manual_items) | set(crossed.get(payer, ()))))
        rows.append(Row(payer, expected, balance, difference, has_difference, causes))
    return rows
