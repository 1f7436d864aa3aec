"""The words of the ageing sheet and the recovery dashboard's workbook for a public body (recovery-rules §4): its
claims are *titres*, what is still due on them the *restes à recouvrer*, its debtors *redevables*.

The reports keep their association labels and pass each one through ``words(env)``; ``with_public_wording`` turns
the public words on (in the context) for a company of creditor kind *Public body*.
"""


def with_public_wording(record, company):
    """``record`` with the public words on when ``company`` is a public body."""
    return record.with_context(essms_public_wording=company.essms_creditor_kind == "public_body")


def words(env):
    """A function giving, for an association label already translated, the public body's label (translated), or
    the label itself outside public mode."""
    if not env.context.get("essms_public_wording"):
        return lambda label: label
    public = {
        env._("Payer"): env._("Debtor of the titre"),
        env._("Payer kind"): env._("Kind of debtor"),
        env._("Document"): env._("Titre"),
        env._("Invoice"): env._("Titre"),
        env._("Document date"): env._("Date of the titre"),
        env._("Claims"): env._("Titres"),
        env._("Outstanding"): env._("Remaining to recover"),
        env._("Outstanding on the end date"): env._("Remaining to recover on the end date"),
        env._("All open receivables"): env._("All the titres remaining to recover"),
        env._("Invoices of the period"): env._("Titres issued in the period"),
        env._("Billed"): env._("Amount of the titres issued"),
        env._("Billed (net of credit notes)"): env._("Titres issued (net of reductions)"),
        env._("Credit notes matched"): env._("Reductions and cancellations of titres"),
        env._("Close to prescription"): env._("Titres close to prescription"),
    }
    return lambda label: public.get(label, label)


def is_public(env):
    return bool(env.context.get("essms_public_wording"))
