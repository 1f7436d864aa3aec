"""Payer classes (billing-rules §1, recovery-rules §2, §5, §7): what the kind of a payer
(``res.partner.essms_payer_kind``) decides, in one place for the dunning, the prescription, the write-offs, the
billing run and the screens' filters.

- **Public payers** (département, State, health insurance fund): public money paid on an administrative
  decision. They get administrative reminders and written payment demands, never a formal notice nor legal
  interest (recovery-rules §2); their claims are barred after 4 years from the 1 January after the year of
  the service (loi 68-1250, recovery-rules §5) and are not impaired by default (recovery-rules §7).
- **Consumers** (the resident, a family, a guardian paying for the person): reminded by letters up to the
  formal notice; barred 2 years after the due date (C. consom. L218-2); never charged the 40 € recovery
  indemnity.
- **Other private payers** (mutual insurers, companies, any payer without a kind): barred 5 years after the
  due date (C. civ. 2224).

Separately from the class, a **decision payer** pays a day only under an individual funding decision
(billing-rules §4): the département's social aid (ASH, PCH). A day it pays without a decision is pending.
"""

PUBLIC = "public"
CONSUMER = "consumer"
PRIVATE = "private"

# The kinds of each class (the selection of res.partner.essms_payer_kind).
PUBLIC_KINDS = frozenset({"departement", "health_insurance", "state"})
CONSUMER_KINDS = frozenset({"resident", "family", "guardian"})
# The payers who pay a day only under an individual funding decision.
DECISION_KINDS = frozenset({"departement"})

# The classes, in the order of the screens' selection.
CLASSES = (PUBLIC, CONSUMER, PRIVATE)


def payer_class(payer_kind):
    """The class of a payer kind; a payer without a kind is another private payer."""
    if payer_kind in PUBLIC_KINDS:
        return PUBLIC
    if payer_kind in CONSUMER_KINDS:
        return CONSUMER
    return PRIVATE


def is_public(payer_kind):
    return payer_kind in PUBLIC_KINDS


def needs_decision(payer_kind):
    """Whether this payer pays a day only under an individual funding decision."""
    return payer_kind in DECISION_KINDS
