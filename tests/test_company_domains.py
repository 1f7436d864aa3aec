"""A many2one with ``check_company`` gets the domain ``company_id in (record's company, False)`` in the form.

When the record's company is *related to that very field* (a statement's company is its establishment's), a new
record has no company yet, the domain is ``company_id = False`` and the field offers "Aucun enregistrement":
issue 11, *Relevés d'activité* > *Nouveau*. These tests evaluate the domain the form receives, as a new record
has it, and check that no field of the addon feeds its own company check.
"""

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .test_security import EssmsSecurityCase


@tagged("post_install", "-at_install")
class TestCompanyDomains(EssmsSecurityCase):
    def _first_hops(self, model, field):
        """The fields of ``model`` a computed or related ``field`` is computed from (first hop of each path)."""
        if field.related:
            related = field.related if isinstance(field.related, str) else ".".join(field.related)
            return {related.split(".")[0]}
        return {dep.split(".")[0] for dep in model.pool.field_depends[field]} if field.compute else set()

    def test_no_check_company_field_gives_its_record_its_company(self):
        offending = []
        for name in list(self.env.registry):
            if not name.startswith("essms."):
                continue
            model = self.env[name]
            company = model._fields.get("company_id")
            if company is None:
                continue
            sources = self._first_hops(model, company)
            for fname, field in model._fields.items():
                if field.relational and field.check_company and fname in sources:
                    offending.append(f"{name}.{fname}")
        self.assertFalse(
            offending,
            "These fields have check_company=True while the record's company derives from them: on a new record"
            " the form offers no value for them.",
        )

    def _offered(self, user, model_name, fname, values):
        """What the form of a new ``model_name`` record offers ``user`` in ``fname``, given the record's values."""
        Model = self.env[model_name].with_user(user)
        domain = Model.fields_get([fname], ["domain"])[fname].get("domain") or []
        if isinstance(domain, str):
            context = {"allowed_company_ids": user.company_ids.ids, "uid": user.id, "context_today": None}
            context.update(dict.fromkeys(Model._fields, False))
            context.update(values)
            domain = safe_eval(domain, context)
        comodel = Model._fields[fname].comodel_name
        return self.env[comodel].with_user(user).name_search("", domain, limit=100)

    def test_new_statement_offers_the_establishments(self):
        # The operator sees every establishment; the establishment's user (the director) his own.
        offered = self._offered(self.operator, "essms.activity.statement", "establishment_id", {})
        offered = {name for _id, name in offered}
        self.assertEqual(offered, {self.establishment.display_name, self.canigou.display_name})
        offered = self._offered(self.user_a, "essms.activity.statement", "establishment_id", {})
        self.assertEqual([name for _id, name in offered], [self.establishment.display_name])
