"""Who receives a person's mail (engine/addressee.py, recovery-rules §2), without a database."""

import pytest

from odoo.addons.essms_billing.engine.addressee import Recipients
from odoo.addons.essms_billing.engine.addressee import protector_required
from odoo.addons.essms_billing.engine.addressee import recipients

PERSON = 1
PROTECTOR = 2


@pytest.mark.parametrize(("protection", "expected"), [
    ("none", Recipients(PERSON)),
    (None, Recipients(PERSON)),
    ("sauvegarde", Recipients(PERSON)),
    ("tutelle", Recipients(PROTECTOR, represented=True)),
    ("habilitation_familiale", Recipients(PROTECTOR, represented=True)),
    ("curatelle", Recipients(PERSON, copy=PROTECTOR)),
])
def test_recipients_per_measure(protection, expected):
    assert recipients(protection, PERSON, PROTECTOR) == expected


@pytest.mark.parametrize("protection", ["tutelle", "habilitation_familiale", "curatelle"])
def test_no_protector_recorded_the_person(protection):
    assert recipients(protection, PERSON, None) == Recipients(PERSON)


def test_the_person_as_own_protector_is_no_copy():
    assert recipients("curatelle", PERSON, PERSON) == Recipients(PERSON)


@pytest.mark.parametrize(("protection", "required"), [
    ("none", False), ("sauvegarde", False), ("tutelle", True), ("curatelle", True),
    ("habilitation_familiale", True),
])
def test_protector_required(protection, required):
    assert protector_required(protection) is required
