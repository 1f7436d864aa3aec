"""What settles a claim (recovery-rules §5, §7, §9): one rule for the analysis and the prescription clock."""

import pytest

from odoo.addons.essms_billing.engine import settlement


def kind(credit_note=False, loss_account=False, reclassification=False):
    return settlement.settlement_kind(
        credit_note=credit_note, loss_account=loss_account, reclassification=reclassification
    )


def test_an_entry_none_of_the_rules_describes_is_a_payment():
    assert kind() == settlement.PAYMENT
    assert settlement.interrupts_prescription(kind())


def test_credit_notes_and_write_offs_do_not_acknowledge_the_debt():
    assert kind(credit_note=True) == settlement.CREDIT_NOTE
    assert kind(loss_account=True) == settlement.WRITE_OFF
    assert kind(reclassification=True) == settlement.WRITE_OFF
    # A credit note is a credit note even if one of its lines is on a loss account: the first rule decides.
    assert kind(credit_note=True, loss_account=True) == settlement.CREDIT_NOTE
    for other in (settlement.CREDIT_NOTE, settlement.WRITE_OFF):
        assert not settlement.interrupts_prescription(other)


def test_every_fact_must_be_given():
    with pytest.raises(TypeError, match="reclassification"):
        settlement.settlement_kind(credit_note=False, loss_account=False)
