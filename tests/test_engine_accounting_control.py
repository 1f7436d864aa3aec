"""The control between the billing and the accounts (billing-rules §8.6), without a database: each kind of
difference (a manual revenue entry, a run invoice left in draft, an open manual item on a receivable, a payment
matched with another payer's invoice), the rounding, the order of the payers."""

from odoo.addons.essms_billing.engine import accounting_control as control
from odoo.addons.essms_billing.engine.accounting_control import JournalFigures
from odoo.addons.essms_billing.engine.accounting_control import Row


def cents(amount):
    return round(amount, 2)


def test_clean_journal_has_no_difference():
    [row] = control.journal_rows([JournalFigures("VT", billed=10100.68, revenue=10100.68)], cents)
    assert row == Row("VT", 10100.68, 10100.68, 0.0, False, (), 0.0)


def test_manual_revenue_entry_in_the_sales_journal():
    [row] = control.journal_rows([JournalFigures("VT", billed=1000.0, revenue=1150.0, causes=(41,))], cents)
    assert (row.difference, row.has_difference, row.causes) == (150.0, True, (41,))


def test_run_invoice_left_in_draft():
    [row] = control.journal_rows([JournalFigures("VT", billed=1000.0, unposted=180.0, revenue=820.0,
                                                 causes=(7, 8))], cents)
    assert (row.expected, row.unposted, row.ledger, row.difference, row.has_difference) == (
        1000.0, 180.0, 820.0, -180.0, True)


def test_which_journal_items_explain_a_gap():
    assert control.journal_item_explains(draft=True, run_document=True)
    assert control.journal_item_explains(draft=False, run_document=False)
    assert not control.journal_item_explains(draft=False, run_document=True)


def test_which_entries_are_manual():
    assert control.is_manual("entry")
    assert not control.is_manual("out_invoice")
    for source in control.NOT_MANUAL:
        assert not control.is_manual("entry", {source}), source


def test_difference_below_half_a_cent_is_a_rounding():
    assert control.compare(100.0, 100.004, cents) == (0.0, False)
    assert control.compare(100.0, 100.01, cents) == (0.01, True)
    assert control.compare(100.0, 99.99, cents) == (-0.01, True)


def test_open_manual_item_on_a_payer_receivable():
    # The département's ledger holds 150,00 more than its invoices and payments: a manual entry (line 41) left
    # open on its receivable; the ageing counts it, the control takes it out of the billing's side.
    rows = control.payer_rows(aged={66: 5000.0}, manual={66: (150.0, [41])}, ledger={66: 5000.0}, crossed={},
                              names={66: "Département"}, round_amount=cents)
    assert rows == [Row(66, 4850.0, 5000.0, 150.0, True, (41,))]


def test_payment_matched_with_another_payers_invoice():
    # Roux's payment of 100,00 matched with Martin's invoice: Martin owes 623,32 on the ageing, 723,32 in the
    # ledger; Roux's payment left the ageing but still credits Roux.
    rows = control.payer_rows(
        aged={1: 623.32, 2: 5580.0}, manual={}, ledger={1: 723.32, 2: 5480.0}, crossed={1: [10], 2: [20]},
        names={1: "Martin", 2: "Roux"}, round_amount=cents,
    )
    assert [(row.key, row.difference, row.has_difference, row.causes) for row in rows] == [
        (1, 100.0, True, (10,)), (2, -100.0, True, (20,)),
    ]


def test_payers_by_name_the_items_without_a_payer_last():
    rows = control.payer_rows(
        aged={3: 10.0, None: 5.0}, manual={}, ledger={1: 12.0, 3: 10.0}, crossed={None: [9, 4]},
        names={1: "Zoé", 3: "Albert"}, round_amount=cents,
    )
    assert [row.key for row in rows] == [3, 1, None]
    assert (rows[-1].expected, rows[-1].ledger, rows[-1].difference, rows[-1].causes) == (5.0, 0.0, -5.0, (4, 9))
    # A payer in the ledger only: nothing expected, the whole balance is the difference.
    assert (rows[1].expected, rows[1].difference, rows[1].has_difference) == (0.0, 12.0, True)
