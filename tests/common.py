"""Shared fixtures of the ORM tests: a small referential built from scratch, never from demo data.

`EssmsFixtureMixin` holds the factory (class methods, usable in `setUpClass`); mix it into any Odoo test
case, e.g. `class TestRun(EssmsFixtureMixin, AccountTestInvoicingCommon)`, and call
`cls._setup_essms_referential()` after `super().setUpClass()` to get the default world below.
`EssmsReferentialCase` is the ready-made `TransactionCase` that does so.

The default world (all in `cls.company`, the test environment's company):
- `cls.payer`: a département (the CD66) paying by daily price;
- `cls.policy`: its absence policy, 30 days of yearly quota;
- `cls.establishment`: a foyer de vie whose address is in Europe/Paris (absence days are counted there);
- `cls.agreement`: the establishment's agreement with the payer, under `cls.policy`, from 2020-01-01.

Dates are `date` objects. Absences are given as local days (whole days, Paris time) or as local naive
datetimes; the factory converts them to the UTC that Odoo stores.
"""

import itertools
import re
from contextlib import contextmanager
from datetime import date
from datetime import datetime
from unittest.mock import patch

from odoo.tests import TransactionCase
from odoo.tests.common import ChromeBrowser
from odoo.tools import format_date

PARIS = "Europe/Paris"
SCREENSHOT = re.compile(r"^essms-screenshot:(\w+)$")


@contextmanager
def tour_screenshots(prefix):
    """Let a tour step ask for a screenshot by logging ``essms-screenshot:<name>``: the screenshots land in Odoo's
    screenshots directory (``--screenshots``, /tmp/odoo_tests by default), under the database's name, named
    ``<prefix><name>_...png``, to be looked at."""
    handle_console = ChromeBrowser._handle_console

    def _handle_console(browser, type, args=None, stackTrace=None, **kw):  # pylint: disable=redefined-builtin
        if type == "log" and args and len(args) == 1:
            match = SCREENSHOT.match(str(browser._from_remoteobject(args[0])))
            if match:
                browser.take_screenshot(prefix="%s%s_" % (prefix, match.group(1)))
                return None
        return handle_console(browser, type, args=args, stackTrace=stackTrace, **kw)

    with patch.object(ChromeBrowser, "_handle_console", _handle_console):
        yield


class EssmsFixtureMixin:
    """Factory of referential records. Every method takes the main values positionally, the rest as
    keyword overrides passed to `create`, and returns the created record."""

    _essms_sequence = itertools.count(1)

    @classmethod
    def _essms_next(cls):
        return next(cls._essms_sequence)

    @classmethod
    def _setup_essms_referential(cls):
        cls.company = cls.env.company
        cls.payer = cls._create_payer("Département des Pyrénées-Orientales")
        cls.policy = cls._create_policy("RDAS 66", payer=cls.payer, quota_days=30)
        cls.establishment = cls._create_establishment("Foyer de vie Les Albères", code="ALB")
        cls.agreement = cls._create_agreement(cls.establishment, cls.payer, policy=cls.policy)

    # Companies, partners, users ------------------------------------------------------------------------

    @classmethod
    def _create_company(cls, name, **vals):
        return cls.env["res.company"].create({"name": name, **vals})

    @classmethod
    def _create_payer(cls, name, kind="departement", **vals):
        """A paying partner (département, health insurance, resident…): `essms_payer_kind` is set."""
        return cls.env["res.partner"].create(
            {"name": name, "is_company": kind != "resident", "essms_payer_kind": kind, **vals}
        )

    # Configuration -------------------------------------------------------------------------------------

    @classmethod
    def _create_establishment(cls, name, code=None, company=None, users=None, **vals):
        """An establishment with its own address partner in Paris time; `users` are attached to it."""
        company = company or cls.env.company
        address = cls.env["res.partner"].create(
            {"name": name, "is_company": True, "tz": PARIS, "company_id": company.id}
        )
        return cls.env["essms.establishment"].create(
            {
                "name": name,
                "code": code or "E%03d" % cls._essms_next(),
                "company_id": company.id,
                "partner_id": address.id,
                "kind": "foyer_vie",
                "capacity": 40,
                "user_ids": [(6, 0, users.ids if users else [])],
                **vals,
            }
        )

    @classmethod
    def _create_policy(cls, name, payer=None, quota_days=0, company=None, **vals):
        return cls.env["essms.absence.policy"].create(
            {
                "name": name,
                "payer_id": payer.id if payer else False,
                "quota_days": quota_days,
                "company_id": (company or cls.env.company).id,
                **vals,
            }
        )

    @classmethod
    def _create_agreement(cls, establishment, payer, policy=None, date_start=date(2020, 1, 1), **vals):
        return cls.env["essms.agreement"].create(
            {
                "name": "%s – %s" % (payer.name, establishment.code),
                "establishment_id": establishment.id,
                "payer_id": payer.id,
                "absence_policy_id": policy.id if policy else False,
                "date_start": date_start,
                **vals,
            }
        )

    @classmethod
    def _create_tariff(cls, agreement, date_from, date_to=None, amount=180.0, accommodation="full_board",
                       kind="accommodation", **vals):
        return cls.env["essms.tariff"].create(
            {
                "agreement_id": agreement.id,
                "date_from": date_from,
                "date_to": date_to or False,
                "amount": amount,
                "accommodation": accommodation,
                "kind": kind,
                **vals,
            }
        )

    # Residents -----------------------------------------------------------------------------------------

    @classmethod
    def _create_beneficiary(cls, name, file_number=None, company=None, **vals):
        """A beneficiary file and its billed partner (a resident payer) in `company`."""
        company = company or cls.env.company
        partner = cls.env["res.partner"].create(
            {"name": name, "essms_payer_kind": "resident", "company_id": company.id}
        )
        return cls.env["essms.beneficiary"].create(
            {
                "partner_id": partner.id,
                "file_number": file_number or "DOS-%05d" % cls._essms_next(),
                "company_id": company.id,
                "birth_date": date(1980, 5, 17),
                **vals,
            }
        )

    @classmethod
    def _create_stay(cls, beneficiary, establishment, date_start, date_end=None, accommodation="full_board",
                     **vals):
        return cls.env["essms.stay"].create(
            {
                "beneficiary_id": beneficiary.id,
                "establishment_id": establishment.id,
                "date_start": date_start,
                "date_end": date_end or False,
                "accommodation": accommodation,
                **vals,
            }
        )

    @classmethod
    def _absence_bounds(cls, start, end=None):
        """UTC bounds of an absence: local dates are whole days (00:00 to 23:59:59, Paris time), local
        naive datetimes are converted as they are."""
        end = end or start
        absence = cls.env["essms.absence"]
        if isinstance(start, datetime) or isinstance(end, datetime):
            return absence._local_to_utc(start, PARIS), absence._local_to_utc(end, PARIS)
        return absence._day_bounds_utc(start, end, PARIS)

    @classmethod
    def _create_absence(cls, stay, start, end=None, kind="personal", **vals):
        """An absence from `start` to `end` (local days or local datetimes, see `_absence_bounds`)."""
        date_start, date_end = cls._absence_bounds(start, end)
        return cls.env["essms.absence"].create(
            {"stay_id": stay.id, "kind": kind, "date_start": date_start, "date_end": date_end, **vals}
        )

    @classmethod
    def _create_decision(cls, beneficiary, payer=None, agreement=None, state="to_file", **vals):
        """A funding decision; `payer` defaults to the agreement's payer. Give the dates that `state` needs
        (`date_filed` once filed, `date_decision` once decided, `date_effect` is computed when filed)."""
        payer = payer or agreement.payer_id
        return cls.env["essms.funding.decision"].create(
            {
                "beneficiary_id": beneficiary.id,
                "payer_id": payer.id,
                "agreement_id": agreement.id if agreement else False,
                "state": state,
                **vals,
            }
        )


class EssmsReferentialCase(EssmsFixtureMixin, TransactionCase):
    """A `TransactionCase` with the default referential of `EssmsFixtureMixin` (see the module docstring)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_essms_referential()

    def assertMessageNames(self, exception, *parts):
        """The error shown to the user mentions every one of `parts` (the record, the field label…);
        dates are looked for as the user reads them, in the format of their language."""
        message = str(exception.exception if hasattr(exception, "exception") else exception)
        for part in parts:
            if isinstance(part, date):
                part = format_date(self.env, part)
            self.assertIn(str(part), message, "the message should name %r" % part)
