"""What settles a claim: the entry matched with an invoice is a payment, a credit note or a write-off
(recovery-rules §5, §7, §9).

The question is asked in two places that must answer alike: the prescription clock, which only a payment
interrupts (a payment acknowledges the debt; a credit note or a write-off does not), and the recovery analysis,
which splits what settled each invoice into collected, credited and written off. The rules are tried in order, the
first that holds decides; an entry none of them describes is a payment:

1. the entry is a credit note: credited;
2. the entry has a line on a loss account (654, *pertes sur créances irrécouvrables*): written off;
3. the entry is the reclassification of a doubtful claim written off (matched with the invoice on 411): written
   off.

The analysis runs this in SQL and the clock in Python; both are generated from ``RULES``.
"""

PAYMENT = "payment"
CREDIT_NOTE = "credit_note"
WRITE_OFF = "write_off"

# (fact about the matched entry, what it makes of the matching), in the order they are tried.
RULES = (
    ("credit_note", CREDIT_NOTE),
    ("loss_account", WRITE_OFF),
    ("reclassification", WRITE_OFF),
)
FACTS = tuple(fact for fact, _kind in RULES)


def settlement_kind(**facts):
    """What the matched entry is, from the ``FACTS`` that hold for it (each a bool, all of them given)."""
    missing = set(FACTS) - set(facts)
    if missing:
        raise TypeError("settlement_kind needs every fact: %s missing" % ", ".join(sorted(missing)))
    for fact, kind in RULES:
        if facts[fact]:
            return kind
    return PAYMENT


def interrupts_prescription(kind):
    """Only a payment acknowledges the debt and starts the prescription again (recovery-rules §5)."""
    return kind == PAYMENT
