"""No English word of the addon reaches a French user: the main screens (every list and form of the addon's window
actions, its menus, the names of its data records) rendered as the operator in French.

A string shown to the French operator is English when it is a source string of the addon (a msgid of
``i18n/fr.po``) that fr.po translates into something else: the translation exists, the screen did not use it (a
field label whose translation is shared with another meaning is caught by name below). A data record's name is
English when it reads the same in English and in French while fr.po does not say so (a field not translatable).
"""

from pathlib import Path

import polib
from lxml import etree

from odoo.tests import TransactionCase
from odoo.tests import new_test_user
from odoo.tests import tagged

PO = Path(__file__).resolve().parent.parent / "i18n" / "fr.po"
ATTRIBUTES = ("string", "help", "placeholder", "confirm", "sum", "title", "aria-label")
MODULE = "essms_billing"


def _po():
    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(PO)) if entry.msgid and entry.msgstr}


def view_strings(arch):
    """The texts of a view a user reads: labels, help texts, confirmations, titles, and the text of its nodes."""
    root = etree.fromstring(arch)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for attribute in ATTRIBUTES:
            if node.get(attribute):
                yield node.get(attribute)
        for text in (node.text, node.tail):
            if text and text.strip():
                yield " ".join(text.split())


@tagged("post_install", "-at_install")
class TestFrenchScreens(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.french = _po()
        cls.english = {" ".join(msgid.split()): msgstr for msgid, msgstr in cls.french.items()}
        cls.operator = new_test_user(
            cls.env, "essms_fr_operator", groups="essms_billing.group_essms_operator", lang="fr_FR",
        )
        cls.fr = cls.env(user=cls.operator, context={"lang": "fr_FR"})

    def _leaked(self, text):
        """``text`` is an English source of the addon translated otherwise in fr.po."""
        text = " ".join(str(text).split())
        return text in self.english and " ".join(self.english[text].split()) != text

    def _addon_records(self, model):
        data = self.env["ir.model.data"].search([("module", "=", MODULE), ("model", "=", model)])
        return self.env[model].browse(data.mapped("res_id")).exists()

    def _check(self, where, texts, leaks):
        for text in texts:
            if self._leaked(text):
                leaks.append("%s: %r" % (where, text))

    def test_lists_and_forms_in_french(self):
        """Every list and form of the addon's actions opens for the operator; what the addon wrote in them (its
        views, and the labels, help texts and choices of its fields) reads in French."""
        leaks = []
        models = set()
        for action in self._addon_records("ir.actions.act_window"):
            action = action.with_env(self.fr).sudo()  # as the web client loads it (read as superuser)
            self._check("action %s" % action.xml_id, [action.name, action.help or ""], leaks)
            model = self.fr[action.res_model]
            if not model.has_access("read"):
                continue
            views = [(False, mode) for mode in ("list", "form") if mode in action.view_mode.split(",")]
            if action.view_id:
                views = [(action.view_id.id if mode == action.view_id.type else False, mode) for _v, mode in views]
            result = model.get_views(views)  # the operator can open them
            models.update(result["models"])
        for view in self._addon_records("ir.ui.view").filtered(
            lambda view: view.type in ("list", "form", "search", "pivot", "graph", "kanban")
        ):
            self._check(view.xml_id, view_strings(view.with_env(self.fr).sudo().arch_db), leaks)
        for model_name in sorted(models):
            for name, field in self.fr[model_name]._fields.items():
                if field._module != MODULE and not name.startswith("essms_"):
                    continue
                description = field.get_description(self.fr)
                texts = [description.get("string"), description.get("help")]
                texts += [label for _value, label in description.get("selection") or []]
                self._check("%s.%s" % (model_name, name), filter(None, texts), leaks)
        self.assertFalse(leaks, "English shown to a French operator:\n" + "\n".join(sorted(set(leaks))))

    def test_menus_in_french(self):
        leaks = []
        for menu in self._addon_records("ir.ui.menu"):
            self._check("menu", [menu.with_env(self.fr).sudo().name], leaks)
        self.assertFalse(leaks, "\n".join(leaks))

    def test_data_records_named_in_french(self):
        """The records the addon ships (layouts, policies, levels, products, templates) are named in French."""
        leaks = []
        models = {
            "essms.absence.policy", "essms.dunning.policy", "essms.dunning.level", "essms.entries.layout",
            "essms.portal.layout", "essms.remittance.layout", "mail.template", "mail.activity.type",
            "product.product",
        }
        for model in sorted(models):
            for record in self._addon_records(model):
                english = record.with_context(lang="en_US").display_name
                french = record.with_context(lang="fr_FR").sudo().display_name
                if french == english and self.french.get(english) != english:
                    leaks.append("%s %s: %r" % (model, record.id, english))
        self.assertFalse(leaks, "Shipped records named in English:\n" + "\n".join(leaks))

    def test_portal_export_file_and_dialog(self):
        """The exported file is a "fichier", not a "dossier" (a beneficiary's file), and its dialog has a title."""
        fields = self.fr["essms.portal.export"].fields_get(["file"])
        self.assertEqual(fields["file"]["string"], "Fichier exporté")

    def test_advice_encoding_shown_in_words(self):
        selection = dict(self.fr["essms.remittance"].fields_get(["encoding"])["encoding"]["selection"])
        self.assertNotIn("cp1252", selection.values())
        self.assertIn("Windows", selection["cp1252"])

    def test_chatter_creation_message_agrees_with_the_record(self):
        """Odoo's "%s créé" whatever the noun gave "Campagne de relance créé": each model says its own sentence."""
        from odoo.addons.essms_billing.models.mail_thread import CREATION_MESSAGES

        with_chatter = sorted(
            name for name, model in self.env.registry.items()
            if name.startswith("essms.") and not model._abstract and not model._transient
            and issubclass(type(model), type(self.env["mail.thread"]))
        )
        self.assertEqual([name for name in with_chatter if name not in CREATION_MESSAGES], [],
                         "a model of the addon with a chatter and no creation sentence")
        run = self.fr["essms.dunning.run"].create({})
        self.assertIn("Campagne de relance créée", run.message_ids[-1:].body or "")
        self.assertEqual(CREATION_MESSAGES["essms.agreement"](self.fr), "Convention créée")
