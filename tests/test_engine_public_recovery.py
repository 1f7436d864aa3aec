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
    result = pr.satd(employer_request(), FULL_FREEZE)
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


# The wage scale of 2026 (code du travail R3252-2 and R3252-3, décret n° 2025-1299 du 24 décembre 2025).
LIMITS_2026 = tuple(Decimal(limit) for limit in ("4480", "8730", "13000", "17230", "21470", "25810"))
PER_DEPENDENT_2026 = Decimal("1740")


def employer_request(**changes):
    values = {"kind": pr.EMPLOYER, "third_party": "Mairie de Tours", "wage": Decimal("1500.00"), "dependents": 0,
              "wage_limits": LIMITS_2026, "wage_per_dependent": PER_DEPENDENT_2026}
    values.update(changes)
    return r5_request(**values)


def rows(seizure):
    return [(band.low, band.high, str(band.fraction), band.quantity, band.amount) for band in seizure.bands]


def test_wage_of_1500_without_dependent_seized_band_by_band():
    seizure = pr.wage_seizure(Decimal("1500.00"), 0, LIMITS_2026, PER_DEPENDENT_2026, RSA)
    # Monthly limits: 4 480 / 12 = 373,33; 8 730 / 12 = 727,50; 13 000 / 12 = 1 083,33; 17 230 / 12 = 1 435,83.
    assert rows(seizure) == [
        (Decimal("0"), Decimal("373.33"), "1/20", Decimal("373.33"), Decimal("18.67")),
        (Decimal("373.33"), Decimal("727.50"), "1/10", Decimal("354.17"), Decimal("35.42")),
        (Decimal("727.50"), Decimal("1083.33"), "1/5", Decimal("355.83"), Decimal("71.17")),
        (Decimal("1083.33"), Decimal("1435.83"), "1/4", Decimal("352.50"), Decimal("88.13")),
        (Decimal("1435.83"), Decimal("1789.17"), "1/3", Decimal("64.17"), Decimal("21.39")),
    ]
    assert seizure.scale == seizure.seizable == Decimal("234.78")
    assert not seizure.capped_by_rsa


def test_two_dependents_raise_every_limit_by_2_x_1740_a_year():
    seizure = pr.wage_seizure(Decimal("2400.00"), 2, LIMITS_2026, PER_DEPENDENT_2026, RSA)
    # (4 480 + 3 480) / 12 = 663,33 … (25 810 + 3 480) / 12 = 2 440,83: the wage stops in the 2/3 band.
    assert [band.high for band in seizure.bands] == [
        Decimal("663.33"), Decimal("1017.50"), Decimal("1373.33"), Decimal("1725.83"), Decimal("2079.17"),
        Decimal("2440.83")]
    assert [band.amount for band in seizure.bands] == [
        Decimal("33.17"), Decimal("35.42"), Decimal("71.17"), Decimal("88.13"), Decimal("117.78"), Decimal("213.89")]
    assert seizure.seizable == Decimal("559.56")


def test_above_the_last_limit_everything_is_seized():
    seizure = pr.wage_seizure(Decimal("3000.00"), 0, LIMITS_2026, PER_DEPENDENT_2026, RSA)
    last = seizure.bands[-1]
    assert (last.low, last.high, str(last.fraction), last.amount) == (Decimal("2150.83"), None, "1", Decimal("849.17"))
    assert seizure.bands[-2].amount == Decimal("241.11")  # (2 150,83 - 1 789,17) x 2/3 = 241,106…
    assert seizure.seizable == Decimal("1421.45")


def test_the_debtor_always_keeps_the_rsa():
    seizure = pr.wage_seizure(Decimal("660.00"), 0, LIMITS_2026, PER_DEPENDENT_2026, RSA)
    assert seizure.scale == Decimal("47.34")  # 18,67 + 286,67 / 10 = 28,67
    assert seizure.seizable == Decimal("13.48") and seizure.capped_by_rsa  # 660,00 - 646,52
    assert pr.wage_seizure(Decimal("600.00"), 0, LIMITS_2026, PER_DEPENDENT_2026, RSA).seizable == Decimal("0.00")


def test_satd_to_an_employer_withholds_the_seizable_part_capped_at_the_claim():
    result = pr.satd(employer_request(), FULL_FREEZE)
    assert result.ok and result.monthly == Decimal("234.78") and result.frozen == Decimal("480.00")
    assert result.block_end is None and result.pay_by == date(2026, 4, 24)
    high = pr.satd(employer_request(wage=Decimal("3000.00")), FULL_FREEZE)
    assert high.wage_seizure.seizable == Decimal("1421.45") and high.monthly == Decimal("480.00")


def test_satd_to_an_employer_refused_without_wage_with_negative_dependents_or_nothing_seizable():
    def codes(**changes):
        return [message.code for message in pr.satd(employer_request(**changes), FULL_FREEZE).refusals]

    assert codes(wage=None) == ["satd_no_wage"]
    assert codes(wage=Decimal("0")) == ["satd_no_wage"]
    assert codes(dependents=-1) == ["satd_negative_dependents"]
    refusal = pr.satd(employer_request(wage=Decimal("600.00")), FULL_FREEZE).refusals
    assert [message.render() for message in refusal] == [
        "A monthly net wage of 600.00 € leaves nothing seizable once the debtor keeps the 646.52 € of the RSA for "
        "one person (code du travail R3252-5): no SATD to the employer."]
