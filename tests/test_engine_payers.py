"""Payer classes (engine/payers.py): one definition for the dunning, the prescription, the write-offs and the
billing run, without a database."""

import pytest

from odoo.addons.essms_billing.engine import payers
from odoo.addons.essms_billing.engine import prescription
from odoo.addons.essms_billing.engine import writeoff


@pytest.mark.parametrize(("kind", "expected"), [
    ("departement", payers.PUBLIC),
    ("health_insurance", payers.PUBLIC),
    ("state", payers.PUBLIC),
    ("resident", payers.CONSUMER),
    ("family", payers.CONSUMER),
    ("guardian", payers.CONSUMER),
    ("other", payers.PRIVATE),
    (None, payers.PRIVATE),
])
def test_payer_class(kind, expected):
    assert payers.payer_class(kind) == expected
    assert payers.is_public(kind) is (expected == payers.PUBLIC)
    # The prescription's debtor classes are the payer classes (2, 4 or 5 years).
    assert prescription.debtor_class(kind) == expected


def test_only_the_departement_pays_under_a_decision():
    assert [kind for kind in ("departement", "health_insurance", "state", "resident", "family", "guardian", "other")
            if payers.needs_decision(kind)] == ["departement"]


def test_the_engine_modules_share_the_definition():
    assert prescription.PUBLIC_KINDS is payers.PUBLIC_KINDS
    assert prescription.CONSUMER_KINDS is payers.CONSUMER_KINDS
    assert writeoff.PUBLIC_KINDS is payers.PUBLIC_KINDS
