"""The access matrix of the README's Security section, generated from the database and compared with it.

Each group of the addon, for each model of the addon: read, write, create, unlink from ``ir.model.access`` (with the
implied groups), restricted to the user's own establishments when a record rule of the group narrows them; and each
workflow button (``action_*`` method) per group. The README table is parsed, so the README cannot drift from what the
server enforces: change the rights, and this test prints the table to paste.

A button is callable by a group when the group reads the model and the method's own group check (the finance
director's approvals, the operator's validation…) lets a user of the group through; the rights of the records the
method then changes apply on top (see ``test_workflow_guard``).
"""

import inspect
import re
from pathlib import Path

from odoo.exceptions import AccessError
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase
from odoo.tests import new_test_user
from odoo.tests import tagged

GROUPS = (
    ("Establishment staff", "essms_billing.group_essms_establishment"),
    ("Operator", "essms_billing.group_essms_operator"),
    ("Finance director", "essms_billing.group_essms_manager"),
)
OPERATIONS = (("r", "read"), ("w", "write"), ("c", "create"), ("u", "unlink"))
MODELS_HEADER = "| Model | " + " | ".join(label for label, _xmlid in GROUPS) + " |"
BUTTONS_HEADER = "| Model | Button | " + " | ".join(label for label, _xmlid in GROUPS) + " |"
# Buttons that do real work on an empty recordset (jobs on every record): their group check is read in the code.
NOT_PROBED = set()  # none today (the demo generator, abstract, is in the demo addon)


def addon_models(env):
    names = env["ir.model.data"].sudo().search(
        [("module", "=", "essms_billing"), ("model", "=", "ir.model")]
    ).mapped(lambda data: env["ir.model"].sudo().browse(data.res_id).model)
    return sorted(name for name in names if name in env and not env[name]._abstract and name.startswith("essms."))


def access_cell(env, model):
    letters = "".join(
        letter for letter, operation in OPERATIONS
        if env["ir.model.access"].check(model, operation, raise_exception=False)
    )
    if not letters:
        return "—"
    rules = env["ir.rule"]._get_rules(model, mode="read").sudo().filtered("groups")
    narrowed = rules and not any(rule.domain_force.replace(" ", "") in ("[(1,'=',1)]", "[]") for rule in rules)
    return letters + (" (own)" if narrowed else "")


def model_buttons(env, model):
    """The ``action_*`` methods the addon defines on ``model`` (buttons of its views, smart buttons)."""
    names = set()
    for cls in type(env[model]).__mro__:
        if getattr(cls, "_module", None) != "essms_billing":
            continue
        names.update(name for name, member in vars(cls).items() if name.startswith("action_") and callable(member))
    return sorted(names)


def button_cell(env, model, button):
    if not env["ir.model.access"].check(model, "read", raise_exception=False):
        return "—"
    method = getattr(env[model], button)
    if [parameter for parameter in inspect.signature(method).parameters.values()
            if parameter.default is inspect.Parameter.empty
            and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)]:
        return "✓"
    try:
        with env.cr.savepoint():
            method()
    except AccessError:
        return "—"
    except Exception:  # any other refusal concerns the records, not the group
        return "✓"
    return "✓"


def generate(env, users):
    """``(model rows, button rows)`` of the matrix, as the README shows them."""
    model_rows, button_rows = [], []
    for model in addon_models(env):
        model_rows.append([model, *(access_cell(env(user=user), model) for user in users)])
        if any(model == name for name, _button in NOT_PROBED):
            continue
        for button in model_buttons(env, model):
            button_rows.append([model, button, *(button_cell(env(user=user), model, button) for user in users)])
    return model_rows, button_rows


def markdown(header, rows):
    separator = "|" + "---|" * (header.count("|") - 1)
    return "\n".join([header, separator, *("| " + " | ".join(row) + " |" for row in rows)])


def parse_table(text, header):
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def readme():
    return (Path(get_module_path("essms_billing")) / "README.md").read_text(encoding="utf-8")


@tagged("post_install", "-at_install")
class TestSecurityMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = [
            new_test_user(cls.env, "matrix_%s" % re.sub(r"\W", "_", label.lower()), groups=xmlid)
            for label, xmlid in GROUPS
        ]

    def test_readme_matrix_is_what_the_server_enforces(self):
        model_rows, button_rows = generate(self.env, self.users)
        text = readme()
        expected = markdown(MODELS_HEADER, model_rows) + "\n\n" + markdown(BUTTONS_HEADER, button_rows)
        self.assertTrue(MODELS_HEADER in text, "README, Security: the access matrix is missing:\n" + expected)
        self.assertEqual(parse_table(text, MODELS_HEADER), model_rows,
                         "README, Security: the access matrix differs from the rights; paste:\n" + expected)
        self.assertEqual(parse_table(text, BUTTONS_HEADER), button_rows,
                         "README, Security: the buttons matrix differs from the server; paste:\n" + expected)

    def test_matrix_covers_every_model_and_group(self):
        model_rows, button_rows = generate(self.env, self.users)
        self.assertEqual({row[0] for row in model_rows}, set(addon_models(self.env)))
        self.assertGreater(len(button_rows), 20)
        # The matrix can fail: an establishment user never reads billing runs nor approves a remission.
        runs = next(row for row in model_rows if row[0] == "essms.billing.run")
        self.assertEqual(runs[1], "—")
        approve = next(row for row in button_rows if row[:2] == ["essms.remission", "action_approve"])
        self.assertEqual(approve[2:], ["—", "—", "✓"])
