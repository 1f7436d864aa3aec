"""A public creditor's titres, SATD and prescription (engine/public_recovery.py, recovery-rules §4 and §5, example
R5), without a database."""

from datetime import date
from decimal import Decimal

from odoo.addons.essms_billing.engine import prescription as p
from odoo.addons.essms_billing.engine import public_recovery as pr
from odoo.addons.essms_billing.engine.prescription import Claim
from odoo.addons.essms_billing.engine.prescription import Event
from odoo.addons.essms_billing.engine.prescription import timeline

FLOOR = Decimal("15.00")
FULL_FREEZE = Decimal("2000.00")
RSA = Decimal("646.52")
SATD_DAY = date(2026, 3, 25)


def r5_request(**changes):
    values = {"titres": ("TIT/2026/00002",), "due": Decimal("480.00"), "amount": Decimal("480.00"), "kind": pr.BANK,
                  "day": SATD_DAY, "third_party": "Banque Populaire", "authorised": True, "unseizable": RSA}
    values.update(changes)
    return pr.SatdRequest(**values)


def test_r5_titre_of_12_refused_480_issued():
    issued, refused = pr.split_titres([pr.Titre("Dupont, 01/2026", "12.00"), pr.Titre("Martin, 01/2026", 480.0)],
                                      FLOOR)
    assert [titre.key for titre in issued] == ["Martin, 01/2026"]
    assert len(refused) == 1
    assert refused[0][1].render() == (
        "Dupont, 01/2026: 12.00 € is below the 15.00 € floor of a titre (CGCT D1611-1): no titre issued.")


def test_floor_itself_is_issued_and_credit_notes_are_not_titres_refused():
    issued, refused = pr.split_titres([pr.Titre("a", "15.00"), pr.Titre("b", "14.99"), pr.Titre("c", "-5")], FLOOR)
    assert [titre.key for titre in issued] == ["a", "c"]
    assert [titre.key for titre, _message in refused] == ["b"]


def test_r5_satd_to_a_bank_below_2000_freezes_its_amount_and_leaves_the_rsa():
    result = pr.satd(r5_request(), FULL_FREEZE)
    assert result.ok
    assert result.frozen == Decimal("480.00")
    assert result.left_available == RSA
    assert not result.whole_balance
    assert result.block_end == date(2026, 4, 9)
    assert result.pay_by == date(2026, 4, 24)


def test_bank_balance_known_caps_the_frozen_amount_above_the_unseizable_balance():
    assert pr.satd(r5_request(balance=Decimal("900.00")), FULL_FREEZE).frozen == Decimal("253.48")
    assert pr.satd(r5_request(balance=Decimal("500.00")), FULL_FREEZE).frozen == Decimal("0.00")
    big = r5_request(due=Decimal("2500.00"), amount=Decimal("2500.00"), balance=Decimal("5000.00"))
    result = pr.satd(big, FULL_FREEZE)
    assert result.whole_balance and result.frozen == Decimal("4353.48")


def test_employer_has_no_bank_block():
    result = pr.satd(r5_request(kind=pr.EMPLOYER, third_party="Mairie"), FULL_FREEZE)
    assert result.frozen == Decimal("480.00") and result.block_end is None and result.left_available == 0


def test_refusals_name_the_cause():
    def codes(**changes):
        return [message.code for message in pr.satd(r5_request(**changes), FULL_FREEZE).refusals]

    assert codes(authorised=False) == ["satd_not_authorised"]
    assert codes(holds=("Contest on the merits",)) == ["satd_suspended"]
    assert codes(kind=pr.CAF, benefit=pr.RSA) == ["satd_unseizable"]
    assert codes(kind=pr.CAF, benefit=pr.PRIME_ACTIVITE) == ["satd_unseizable"]
    assert codes(kind=pr.CAF, benefit=pr.AAH, upkeep=False) == ["satd_aah_not_upkeep"]
    assert codes(kind=pr.CAF, benefit=pr.AAH, upkeep=True) == []
    assert codes(amount=Decimal("480.01")) == ["satd_above_claim"]
    assert codes(threshold=Decimal("500")) == ["satd_below_threshold"]
    assert codes(amount=0) == ["satd_not_positive"]
    assert codes(titres=()) == ["satd_no_titre"]
    message = pr.satd(r5_request(amount=Decimal("600")), FULL_FREEZE).refusals[0].render()
    assert message == "The SATD claims 600.00 €, more than the 480.00 € still due on TIT/2026/00002."


def test_r5_contest_within_two_months():
    notified = date(2026, 2, 20)
    assert pr.contest_deadline(notified) == date(2026, 4, 20)
    assert pr.contest_in_time(notified, date(2026, 4, 10))
    assert not pr.contest_in_time(notified, date(2026, 4, 21))


def test_r5_prescription_four_years_from_taking_in_charge_interrupted_by_the_satd():
    taken = date(2026, 1, 5)
    claim = Claim("resident", date(2026, 2, 4), taken_in_charge=taken)
    assert p.prescription_date(claim) == date(2030, 1, 6)
    notice = Event(p.WRITTEN_DEMAND, date(2026, 2, 20), key="mise en demeure")
    satd = Event(p.ENFORCEMENT_ACT, SATD_DAY, key="satd")
    result = timeline(Claim("resident", date(2026, 2, 4), events=(notice, satd), taken_in_charge=taken))
    assert result.effects == (
        p.Effect("mise en demeure", p.NO_EFFECT_PRIVATE_DEMAND, date(2030, 1, 6)),
        p.Effect("satd", p.INTERRUPTED, date(2030, 3, 26)),
    )
    assert result.prescription_date == date(2030, 3, 26)


def test_a_departement_titre_also_runs_from_taking_in_charge():
    claim = Claim("departement", date(2026, 2, 4), right_date=date(2026, 1, 31), taken_in_charge=date(2026, 1, 5))
    assert p.prescription_date(claim) == date(2030, 1, 6)


def test_amounts_received_matched_oldest_first():
    assert pr.allocate(Decimal("500"), [("A", Decimal("120")), ("B", Decimal("480"))]) == [
        ("A", Decimal("120.00")), ("B", Decimal("380.00"))]
    assert pr.allocate(Decimal("700"), [("A", Decimal("120")), ("B", Decimal("480"))]) == [
        ("A", Decimal("120.00")), ("B", Decimal("480.00"))]
