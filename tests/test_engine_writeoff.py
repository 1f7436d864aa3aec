"""Closing claims in the books (engine.writeoff): examples R1 and R3 of recovery-rules §10, to the cent."""

from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.essms_billing.engine.writeoff import DISPUTE
from odoo.addons.essms_billing.engine.writeoff import DOUBTFUL_INVOICE
from odoo.addons.essms_billing.engine.writeoff import DOUBTFUL_RECLASSIFICATION
from odoo.addons.essms_billing.engine.writeoff import FORMAL_NOTICE
from odoo.addons.essms_billing.engine.writeoff import IMPAIRMENT
from odoo.addons.essms_billing.engine.writeoff import IMPAIRMENT_CHARGE
from odoo.addons.essms_billing.engine.writeoff import IMPAIRMENT_REVERSAL
from odoo.addons.essms_billing.engine.writeoff import INSOLVENCY
from odoo.addons.essms_billing.engine.writeoff import LOSS
from odoo.addons.essms_billing.engine.writeoff import RECEIVABLE
from odoo.addons.essms_billing.engine.writeoff import RECOVERED
from odoo.addons.essms_billing.engine.writeoff import Bucket
from odoo.addons.essms_billing.engine.writeoff import Claim
from odoo.addons.essms_billing.engine.writeoff import DoubtfulClaim
from odoo.addons.essms_billing.engine.writeoff import WriteOffError
from odoo.addons.essms_billing.engine.writeoff import WriteOffLine
from odoo.addons.essms_billing.engine.writeoff import allocate
from odoo.addons.essms_billing.engine.writeoff import doubtful_partial_rows
from odoo.addons.essms_billing.engine.writeoff import impairment_proposal
from odoo.addons.essms_billing.engine.writeoff import net_cost
from odoo.addons.essms_billing.engine.writeoff import reclassification
from odoo.addons.essms_billing.engine.writeoff import reopen_entry
from odoo.addons.essms_billing.engine.writeoff import writeoff_entry

D = Decimal
YEAR_END = date(2026, 12, 31)
R3_BUCKETS = (
    Bucket("91-180", 91, 180, D("0.25")),
    Bucket("181-365", 181, 365, D("0.50")),
    Bucket("365+", 366, None, D("1")),
)


def _rows(entry):
    return [(line.role, line.debit, line.credit) for line in entry]


def test_r1_writeoff_of_a_doubtful_claim_reverses_its_impairment():
    line = WriteOffLine("INV/850", "416000", D("850.00"), D("850.00"), impairment=D("425.00"))
    entry = writeoff_entry([line])
    assert _rows(entry) == [
        (LOSS, D("850.00"), D("0.00")),
        (RECEIVABLE, D("0.00"), D("850.00")),
        (IMPAIRMENT, D("425.00"), D("0.00")),
        (IMPAIRMENT_REVERSAL, D("0.00"), D("425.00")),
    ]
    assert entry[1].account == "416000" and entry[1].key == "INV/850"
    assert net_cost([line]) == D("425.00")
    assert sum(row.debit for row in entry) == sum(row.credit for row in entry)


def test_r1_reopening_for_a_later_payment_is_revenue_of_the_year():
    entry = reopen_entry("INV/850", "416000", D("200"), written_off=D("850.00"))
    assert _rows(entry) == [(RECEIVABLE, D("200.00"), D("0.00")), (RECOVERED, D("0.00"), D("200.00"))]
    # The rest can be reopened later, never more than was written off.
    assert reopen_entry("INV/850", "416000", D("650"), written_off=D("850"), reopened=D("200"))[1].credit == D("650.00")
    with pytest.raises(WriteOffError) as error:
        reopen_entry("INV/850", "416000", D("650.01"), written_off=D("850"), reopened=D("200"))
    assert (error.value.code, error.value.limit) == ("above_written_off", D("650.00"))


def test_writeoff_without_impairment_has_no_reversal_and_one_loss_for_several_claims():
    entry = writeoff_entry([
        WriteOffLine("A", 411, D("723.32"), D("723.32")),
        WriteOffLine("B", 411, D("100.00"), D("40.10")),
    ])
    assert _rows(entry) == [
        (LOSS, D("763.42"), D("0.00")), (RECEIVABLE, D("0.00"), D("723.32")), (RECEIVABLE, D("0.00"), D("40.10")),
    ]


@pytest.mark.parametrize(("line", "code"), [
    (WriteOffLine("A", 411, D("100"), D("100.01")), "above_open"),
    (WriteOffLine("A", 411, D("0"), D("10")), "closed"),
    (WriteOffLine("A", 411, D("100"), D("0")), "not_positive"),
    (WriteOffLine("A", 411, D("100"), D("50"), impairment=D("60")), "impairment"),
])
def test_bad_writeoffs_are_refused(line, code):
    with pytest.raises(WriteOffError) as error:
        writeoff_entry([line])
    assert (error.value.code, error.value.key) == (code, "A")


def test_r3_year_end_proposal_by_age_bucket():
    claims = [
        # 4 000 € overdue 91 to 180 days, 2 000 € 181 to 365 days, 1 200 € over 365 days, all residents.
        Claim("a", "resident", date(2026, 8, 1), D("2500.00")),  # 152 days
        Claim("b", "family", date(2026, 9, 30), D("1500.00")),  # 92 days
        Claim("c", "resident", date(2026, 4, 1), D("2000.00")),  # 274 days
        Claim("d", "guardian", date(2025, 12, 30), D("1200.00")),  # 366 days
        # Not impaired by default: a public payer, a kept plan; not yet in a bucket: 90 days.
        Claim("e", "departement", date(2025, 1, 31), D("9000.00")),
        Claim("f", "resident", date(2025, 1, 31), D("800.00"), kept_plan=True),
        Claim("g", "resident", date(2026, 10, 2), D("300.00")),  # 90 days
    ]
    proposal = impairment_proposal(claims, R3_BUCKETS, YEAR_END, previous=D("2500.00"))
    by_bucket = {}
    for line in proposal.lines:
        base, amount = by_bucket.get(line.bucket, (D(0), D(0)))
        by_bucket[line.bucket] = (base + line.base, amount + line.amount)
    assert by_bucket == {
        "91-180": (D("4000.00"), D("1000.00")),
        "181-365": (D("2000.00"), D("1000.00")),
        "365+": (D("1200.00"), D("1200.00")),
    }
    assert proposal.total == D("3200.00")
    assert proposal.difference == D("700.00")
    assert set(proposal.excluded) == {"e", "f"}
    assert _rows(proposal.entry()) == [(IMPAIRMENT_CHARGE, D("700.00"), D("0")), (IMPAIRMENT, D("0"), D("700.00"))]


def test_impairment_shrinking_is_a_reversal_and_options_include_public_payers():
    claims = [Claim("e", "departement", date(2026, 1, 31), D("1000.00"))]
    default = impairment_proposal(claims, R3_BUCKETS, YEAR_END, previous=D("300"))
    assert (default.total, default.difference) == (D("0"), D("-300.00"))
    assert _rows(default.entry()) == [(IMPAIRMENT, D("300.00"), D("0")), (IMPAIRMENT_REVERSAL, D("0"), D("300.00"))]
    included = impairment_proposal(claims, R3_BUCKETS, YEAR_END, previous=D("300"), excluded_kinds=())
    assert included.total == D("500.00")  # 334 days at 50 %
    assert impairment_proposal(claims, R3_BUCKETS, YEAR_END, previous=D("500"), excluded_kinds=()).entry() == []


def test_impairment_shares_per_claim_add_up_to_each_group():
    """Each claim carries its share (what its write-off reverses); the last of a group takes the rounding cent."""
    claims = [
        Claim("a", "resident", date(2026, 8, 1), D("100.01")),
        Claim("b", "resident", date(2026, 8, 2), D("100.01")),
        Claim("c", "resident", date(2026, 8, 3), D("100.01")),
        Claim("d", "family", date(2025, 1, 1), D("33.33")),
    ]
    proposal = impairment_proposal(claims, R3_BUCKETS, YEAR_END)
    # 300.03 at 25 % = 75.0075 -> 75.01; 25.00 + 25.00 + 25.01.
    assert proposal.total == D("108.34")
    shares = allocate(proposal, claims)
    assert shares == {"a": D("25.00"), "b": D("25.00"), "c": D("25.01"), "d": D("33.33")}
    assert sum(shares.values()) == proposal.total


def test_r3_shares_of_the_example():
    claims = [
        Claim("a", "resident", date(2026, 8, 1), D("2500.00")),
        Claim("b", "resident", date(2026, 9, 30), D("1500.00")),
        Claim("c", "resident", date(2026, 4, 1), D("2000.00")),
        Claim("d", "resident", date(2025, 12, 30), D("1200.00")),
    ]
    shares = allocate(impairment_proposal(claims, R3_BUCKETS, YEAR_END, previous=D("2500")), claims)
    assert shares == {"a": D("625.00"), "b": D("375.00"), "c": D("1000.00"), "d": D("1200.00")}


def test_doubtful_triggers_and_return_to_normal():
    claims = [
        DoubtfulClaim("disputed", D("100"), frozenset({"dispute"})),
        DoubtfulClaim("insolvent", D("100"), frozenset({"over_indebtedness", "payment_plan"})),
        DoubtfulClaim("notice_old", D("100"), formal_notice=date(2026, 11, 1)),  # 60 days
        DoubtfulClaim("notice_young", D("100"), formal_notice=date(2026, 11, 2)),  # 59 days
        DoubtfulClaim("plan_only", D("100"), frozenset({"payment_plan"})),
        DoubtfulClaim("paid", D("0"), frozenset({"dispute"}), doubtful=True),
        DoubtfulClaim("settled", D("80"), doubtful=True),  # the dispute ended
        DoubtfulClaim("still", D("80"), frozenset({"collective_proceedings"}), doubtful=True),
    ]
    to_doubtful, to_normal = reclassification(claims, YEAR_END, notice_days=60)
    assert to_doubtful == [("disputed", DISPUTE, D("100.00")), ("insolvent", INSOLVENCY, D("100.00")),
                           ("notice_old", FORMAL_NOTICE, D("100.00"))]
    assert to_normal == ["paid", "settled"]


def test_part_of_a_doubtful_claim_written_off_keeps_411_level():
    """300 on 416 (reclassified), 100 written off: 654 100 / 416 100, and on 411 the invoice credited and the
    reclassification's item debited for 100: the entry balances and 411 moves by nothing."""
    entry = writeoff_entry([WriteOffLine("INV/7", "416", 300, 100)])
    extra = doubtful_partial_rows("INV/7", "411", 100)
    assert [(row.role, row.debit, row.credit, row.account) for row in extra] == [
        (DOUBTFUL_INVOICE, 0, Decimal("100.00"), "411"), (DOUBTFUL_RECLASSIFICATION, Decimal("100.00"), 0, "411")]
    rows = entry + extra
    assert sum(row.debit for row in rows) == sum(row.credit for row in rows) == Decimal("200.00")
    on_411 = sum(row.debit - row.credit for row in rows if row.account == "411")
    assert on_411 == 0
    with pytest.raises(WriteOffError):
        doubtful_partial_rows("INV/7", "411", 0)
