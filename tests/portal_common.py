"""A billed July 2025 for the portal export, the activity vs billing control and the entries export.

Foyer de vie Les Oliviers (FINESS 660000017), daily price 180 €, contribution 723,32 € a month:
- Martin: example C (family weekend 5-6 July, hospital 10-20 July), granted decision DEC-Martin;
- Bernard: granted decision DEC-Bernard, left on 20 July (the exit day is not billed: 19 days);
- Petit: decision filed, pending (the département's share is accrued, not invoiced);
- Roux: no decision (every day falls on the resident).
"""

from datetime import date

from odoo.tests import freeze_time

from .billing_common import BillingCommon

JULY = date(2025, 7, 1)


class PortalCommon(BillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.establishment.finess = "660000017"
        cls.martin = cls._create_resident("Martin")
        cls._example_c(cls.martin)
        cls.bernard = cls._create_resident("Bernard", birth_date=date(1975, 2, 3))
        cls.bernard.write({"date_end": date(2025, 7, 20), "end_reason": "departure"})
        cls.petit = cls._create_resident(
            "Petit", entry=date(2025, 6, 2), decision="filed", date_filed=date(2025, 6, 20)
        )
        cls.roux = cls._create_resident("Roux", decision=False)
        with freeze_time("2025-08-05"):
            cls.statement = cls._validated_statement(cls.establishment, JULY)
            cls.billing_run = cls._run(cls.establishment, JULY)
            cls.billing_run.action_compute()
            cls.billing_run.action_invoice()

    def _statement_line(self, stay):
        return self.statement.line_ids.filtered(lambda line: line.stay_id == stay)
