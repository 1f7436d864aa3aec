"""Dunning level selection (recovery-rules §1, §2), without a database.

The residents' default policy: reminder D+15, firm reminder D+30, phone call D+35, formal notice D+45.
"""

from datetime import date
from datetime import timedelta
from decimal import Decimal

from odoo.addons.essms_billing.engine.dunning import BELOW_MINIMUM
from odoo.addons.essms_billing.engine.dunning import DECEASED
from odoo.addons.essms_billing.engine.dunning import NOTHING_DUE
from odoo.addons.essms_billing.engine.dunning import NOTHING_NEW
from odoo.addons.essms_billing.engine.dunning import ON_HOLD
from odoo.addons.essms_billing.engine.dunning import PAID
from odoo.addons.essms_billing.engine.dunning import Claim
from odoo.addons.essms_billing.engine.dunning import Debtor
from odoo.addons.essms_billing.engine.dunning import Level
from odoo.addons.essms_billing.engine.dunning import Policy
from odoo.addons.essms_billing.engine.dunning import Routed
from odoo.addons.essms_billing.engine.dunning import assemble_letters
from odoo.addons.essms_billing.engine.dunning import net_claims
from odoo.addons.essms_billing.engine.dunning import propose
from odoo.addons.essms_billing.engine.dunning import propose_all

REMINDER, FIRM, PHONE, NOTICE = 1, 2, 3, 4
LEVELS = (
    Level(REMINDER, 10, 15),
    Level(FIRM, 20, 30),
    Level(PHONE, 30, 35),
    Level(NOTICE, 40, 45, Decimal("50.00"), formal_notice=True),
)
RESIDENTS = Policy(LEVELS)
DUE = date(2026, 1, 31)


def day(offset):
    """The run date ``offset`` days after the due date."""
    return DUE + timedelta(days=offset)


def one_claim(residual="723.32", level=None, last=None, **debtor):
    return Debtor("Mme Martin", (Claim(101, DUE, Decimal(residual), level, last),), **debtor)


def test_nothing_before_the_first_delay():
    proposal = propose(one_claim(), RESIDENTS, day(14))
    assert not proposal.to_send
    assert proposal.reason == NOTHING_NEW


def test_first_reminder_on_the_fifteenth_day_for_the_residual():
    proposal = propose(one_claim(), RESIDENTS, day(15))
    assert proposal.level_key == REMINDER
    assert proposal.amount_due == Decimal("723.32")
    (line,) = proposal.lines
    assert (line.claim_key, line.level_key, line.advanced) == (101, REMINDER, True)


def test_each_level_at_its_delay_when_runs_are_regular():
    assert propose(one_claim(level=REMINDER, last=day(15)), RESIDENTS, day(30)).level_key == FIRM
    assert propose(one_claim(level=FIRM, last=day(30)), RESIDENTS, day(35)).level_key == PHONE
    assert propose(one_claim(level=PHONE, last=day(35)), RESIDENTS, day(45)).level_key == NOTICE


def test_already_at_its_level_no_new_letter():
    proposal = propose(one_claim(level=FIRM, last=day(30)), RESIDENTS, day(33))
    assert proposal.reason == NOTHING_NEW


def test_missed_runs_advance_one_level_at_a_time():
    # Never reminded and 90 days overdue: the first reminder, not a formal notice out of the blue.
    assert propose(one_claim(), RESIDENTS, day(90)).level_key == REMINDER
    # Reminded on day 90: the firm reminder waits the 15 days between the two levels.
    assert propose(one_claim(level=REMINDER, last=day(90)), RESIDENTS, day(100)).reason == NOTHING_NEW
    assert propose(one_claim(level=REMINDER, last=day(90)), RESIDENTS, day(105)).level_key == FIRM


def test_a_policy_may_allow_skipping_levels():
    skipping = Policy(LEVELS, allow_skip=True)
    assert propose(one_claim(), skipping, day(90)).level_key == NOTICE
    assert propose(one_claim(level=REMINDER, last=day(16)), skipping, day(40)).level_key == PHONE


def test_partial_payment_leaves_the_residual_due():
    # 723.32 invoiced, 500.00 paid and reconciled: the residual of 223.32 is reminded.
    proposal = propose(one_claim("223.32"), RESIDENTS, day(20))
    assert proposal.amount_due == Decimal("223.32")


def test_unreconciled_payment_netted_on_the_oldest_claim():
    debtor = Debtor(
        "M. Garcia",
        (
            Claim(1, date(2026, 1, 31), Decimal("723.32")),
            Claim(2, date(2026, 2, 28), Decimal("723.32")),
        ),
        credits=Decimal("900.00"),
    )
    proposal = propose(debtor, RESIDENTS, date(2026, 3, 20))
    assert proposal.credits_netted == Decimal("900.00")
    # January is paid by the 900.00 (723.32) and February keeps 546.64 due: only February is reminded.
    (line,) = proposal.lines
    assert (line.claim_key, line.residual, line.amount_due) == (2, Decimal("723.32"), Decimal("546.64"))
    assert proposal.amount_due == Decimal("546.64")


def test_no_reminder_for_a_debt_already_paid():
    debtor = Debtor("M. Garcia", (Claim(1, DUE, Decimal("723.32")),), credits=Decimal("723.32"))
    proposal = propose(debtor, RESIDENTS, day(40))
    assert (proposal.to_send, proposal.reason) == (False, PAID)


def test_a_credit_note_larger_than_the_debt_sends_nothing():
    debtor = Debtor("M. Garcia", (Claim(1, DUE, Decimal("100.00")),), credits=Decimal("150.00"))
    assert propose(debtor, RESIDENTS, day(40)).reason == PAID


def test_claims_on_hold_are_left_out_and_keep_no_credit():
    debtor = Debtor(
        "M. Garcia",
        (
            Claim(1, date(2026, 1, 31), Decimal("723.32"), on_hold=True),
            Claim(2, date(2026, 2, 28), Decimal("300.00")),
        ),
        credits=Decimal("100.00"),
    )
    proposal = propose(debtor, RESIDENTS, date(2026, 3, 20))
    (line,) = proposal.lines
    assert (line.claim_key, line.amount_due) == (2, Decimal("200.00"))
    assert proposal.held_claim_keys == (1,)


def test_every_claim_on_hold_no_letter():
    debtor = Debtor("M. Garcia", (Claim(1, DUE, Decimal("723.32"), on_hold=True),))
    assert propose(debtor, RESIDENTS, day(40)).reason == ON_HOLD


def test_a_hold_on_the_debtor_stops_everything():
    assert propose(one_claim(on_hold=True), RESIDENTS, day(40)).reason == ON_HOLD


def test_a_deceased_debtor_is_not_reminded():
    assert propose(one_claim(deceased=True), RESIDENTS, day(40)).reason == DECEASED


def test_minimum_amount_of_a_level():
    # The formal notice needs 50.00 due: a 30.00 debt stays at the phone call.
    proposal = propose(one_claim("30.00", level=PHONE, last=day(35)), RESIDENTS, day(60))
    assert proposal.reason == NOTHING_NEW
    assert propose(one_claim("50.00", level=PHONE, last=day(35)), RESIDENTS, day(60)).level_key == NOTICE


def test_below_the_minimum_of_the_first_level():
    policy = Policy((Level(REMINDER, 10, 15, Decimal("10.00")),))
    assert propose(one_claim("9.99"), policy, day(20)).reason == BELOW_MINIMUM


def test_public_payers_never_reach_a_formal_notice():
    public = Policy(LEVELS, allow_skip=True, public_payer=True)
    assert propose(one_claim(level=PHONE, last=day(35)), public, day(200)).reason == NOTHING_NEW
    assert propose(one_claim(), public, day(200)).level_key == PHONE


def test_one_letter_lists_every_overdue_claim_at_its_level():
    debtor = Debtor(
        "Mme Martin",
        (
            Claim(1, date(2026, 1, 31), Decimal("723.32"), FIRM, date(2026, 3, 2)),
            Claim(2, date(2026, 2, 28), Decimal("723.32"), REMINDER, date(2026, 3, 16)),
            Claim(3, date(2026, 3, 31), Decimal("723.32")),
        ),
    )
    proposal = propose(debtor, RESIDENTS, date(2026, 4, 1))
    # January goes from the firm reminder to the phone call; February from the reminder to the firm reminder
    # (32 days overdue, 16 days after its reminder); March is 1 day overdue and not listed yet.
    assert [(line.claim_key, line.level_key, line.advanced) for line in proposal.lines] == [
        (1, PHONE, True),
        (2, FIRM, True),
    ]
    assert proposal.level_key == PHONE
    assert proposal.amount_due == Decimal("1446.64")


def test_a_claim_that_does_not_advance_is_still_listed():
    debtor = Debtor(
        "Mme Martin",
        (
            Claim(1, date(2026, 1, 31), Decimal("723.32"), REMINDER, date(2026, 3, 10)),
            Claim(2, date(2026, 2, 28), Decimal("100.00")),
        ),
    )
    proposal = propose(debtor, RESIDENTS, date(2026, 3, 16))
    assert [(line.claim_key, line.level_key, line.advanced) for line in proposal.lines] == [
        (1, REMINDER, False),
        (2, REMINDER, True),
    ]


def test_not_yet_due_claims_are_neither_reminded_nor_netted():
    debtor = Debtor("Mme Martin", (Claim(1, date(2026, 5, 31), Decimal("723.32")),))
    assert propose(debtor, RESIDENTS, date(2026, 5, 20)).reason == NOTHING_DUE


def test_net_claims_rounds_to_the_cent():
    due, used = net_claims((Claim(1, DUE, 10.1), Claim(2, DUE, 0.2)), 10.2)
    assert due == {1: Decimal("0.00"), 2: Decimal("0.10")}
    assert used == Decimal("10.20")


def test_propose_all_uses_each_debtors_policy():
    public = Policy(LEVELS, allow_skip=True, public_payer=True)
    proposals = propose_all([(one_claim(), "resident"), (one_claim(), "public")],
                            {"resident": Policy(LEVELS, allow_skip=True), "public": public}, day(60))
    assert [proposal.level_key for proposal in proposals] == [NOTICE, PHONE]


def test_a_guardian_gets_one_letter_for_everyone_it_represents_at_their_highest_level():
    """Letter assembly (recovery-rules §2): the proposals routed to the same addressee and copy make one letter."""
    first = propose(Debtor("Martin", (Claim(101, DUE, Decimal("100.00")),), credits=Decimal("10.00")),
                    RESIDENTS, day(15))
    second = propose(Debtor("Durand", (Claim(102, DUE, Decimal("200.00"), REMINDER, day(15)),)), RESIDENTS, day(30))
    alone = propose(one_claim(), RESIDENTS, day(15))
    nothing = propose(one_claim(), RESIDENTS, day(3))
    levels = {level.key: level for level in LEVELS}
    letters = assemble_letters(
        [Routed(alone, "Mme Martin"), Routed(first, "UDAF"), Routed(nothing, "Mme Martin"),
         Routed(second, "UDAF"), Routed(first, "Curator", "Martin")],
        levels,
    )
    assert [(letter.addressee, letter.copy) for letter in letters] == [
        ("Mme Martin", None), ("UDAF", None), ("Curator", "Martin"),
    ]
    guardian = letters[1]
    assert [proposal.debtor_key for proposal in guardian.proposals] == ["Martin", "Durand"]
    assert guardian.level_key == FIRM
    assert guardian.credits_netted == Decimal("10.00")
    # A debtor with nothing new is in no letter.
    assert [proposal.debtor_key for proposal in letters[0].proposals] == ["Mme Martin"]
