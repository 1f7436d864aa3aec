"""Who receives a person's mail (recovery-rules §2): one answer for every document written about what a person
owes: the invoice (its printed address and its e-mail), the dunning letters and the notices of a payment plan.

- *Tutelle* and *habilitation familiale*: the protector represents the person; everything is addressed to
  the protector, who is told whom it concerns (name and measure reference).
- *Curatelle*: the curator assists the person, who still owes and pays; the document is addressed to the
  person and the curator receives a copy for information.
- *Sauvegarde de justice* and no measure: the person, with no copy.

A measure without a protector recorded leaves the person as addressee: there is nobody else to write to.
"""

from dataclasses import dataclass

# The measures under which the protector represents the person: the mail goes to the protector.
REPRESENTED = frozenset({"tutelle", "habilitation_familiale"})
# The measures under which the protector assists the person: the person is written to, the protector gets a copy.
ASSISTED = frozenset({"curatelle"})


@dataclass(frozen=True)
class Recipients:
    """``addressee``: whom the document is written to; ``copy``: who gets a copy for information (or None);
    ``represented``: the addressee writes on behalf of the person (the document names the person)."""

    addressee: object
    copy: object = None
    represented: bool = False


def recipients(protection, person, protector):
    """The recipients of a document about ``person`` under the measure ``protection`` (a key of
    ``essms.beneficiary.legal_protection``, or None) with ``protector`` (None when not recorded).

    ``person`` and ``protector`` are opaque keys (partner ids in the models)."""
    if protector is not None and protector != person:
        if protection in REPRESENTED:
            return Recipients(addressee=protector, represented=True)
        if protection in ASSISTED:
            return Recipients(addressee=person, copy=protector)
    return Recipients(addressee=person)


def protector_required(protection):
    """Whether a person under ``protection`` must have a protector recorded: a measure that changes whom the
    mail goes to cannot be left without one (habilitation familiale included)."""
    return protection in REPRESENTED or protection in ASSISTED
