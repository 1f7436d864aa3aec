#!/usr/bin/env python3
"""Benchmark a payment advice of 5 000 lines against Odoo's own register-payment wizard, and print both.

Usage: bench_remittance.py ODOO_CONF [--database essms_bench_remittance] [--invoices 5000] [--no-create]

Drop and recreate DATABASE with essms_billing installed without demo (`make create-db`, skipped with
--no-create), then post twice INVOICES customer invoices of one département, with amounts all different.
The advice (a Windows-1252 CSV with semicolons and decimal commas, as the départements send them) pays the first
set: nine lines in ten name their invoice, one in ten only gives its amount. It is imported and matched (one
transaction), then posted: one payment reconciled with every invoice (a second transaction). Odoo's own
``account.payment.register`` with ``group_payment`` then pays the second set (one payment, reconciled with every
invoice). Each step is its own transaction, committed like a user's click.

Targets (issue 4): the advice, import to reconciliation, under 60 s and at most 1.5 x Odoo's wizard. A missed
target prints MISSED; the exit code is 0 unless the benchmark itself fails (or an invoice is left unpaid).
"""

import argparse
import base64
import sys
import time
from datetime import date
from pathlib import Path

import odoo
from odoo import Command
from odoo.tools import config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import create_database
from bench import load
from bench import out

TOTAL_TARGET = 60.0
RATIO_TARGET = 1.5
BATCH = 500


class RemittanceBench:
    def __init__(self, database):
        self.registry = odoo.modules.registry.Registry(database)

    def timed(self, label, function):
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            queries = cr.sql_log_count
            start, cpu = time.perf_counter(), time.process_time()
            result = function(env)
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit
            row = {
                "step": label,
                "seconds": time.perf_counter() - start,
                "cpu": time.process_time() - cpu,
                "queries": cr.sql_log_count - queries,
            }
        return row, result

    def setup(self, count):
        def run(env):
            company = env.ref("base.main_company")
            env.user.groups_id = [Command.link(env.ref("essms_billing.group_essms_manager").id)]
            payer = env["res.partner"].create(
                {"name": "Département des Pyrénées-Orientales", "essms_payer_kind": "departement"}
            )
            account = env["account.account"].search(
                [("account_type", "=", "income"), ("company_ids", "in", company.id)], limit=1
            )
            journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
            bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
            sets = []
            for offset in (0, count):
                moves = env["account.move"]
                for start in range(0, count, BATCH):
                    vals_list = [
                        {
                            "move_type": "out_invoice",
                            "partner_id": payer.id,
                            "journal_id": journal.id,
                            "invoice_date": date(2025, 8, 1),
                            "invoice_line_ids": [
                                Command.create(
                                    {
                                        "name": "Prix de journée",
                                        "quantity": 1,
                                        "price_unit": 1000 + (offset + index) / 100,
                                        "account_id": account.id,
                                        "tax_ids": [],
                                    }
                                )
                            ],
                        }
                        for index in range(start, min(start + BATCH, count))
                    ]
                    batch = env["account.move"].create(vals_list)
                    batch.action_post()
                    moves |= batch
                    env.flush_all()
                    env.invalidate_all()
                sets.append(moves.ids)
            return payer.id, bank.id, sets

        return self.timed("post 2 x %s invoices" % count, run)

    @staticmethod
    def advice(env, move_ids):
        lines = ["Département des Pyrénées-Orientales;;;", "Avis de paiement;;;",
                 "N° Facture;Nom Prénom;Période;Montant réglé"]
        for index, move in enumerate(env["account.move"].browse(move_ids)):
            amount = ("%.2f" % move.amount_total).replace(".", ",")
            if len(amount) > 6:
                amount = amount[:-6] + " " + amount[-6:]
            reference = "" if index % 10 == 9 else move.name
            lines.append("%s;Bénéficiaire %s;07/2025;%s" % (reference, index, amount))
        return "\r\n".join(lines).encode("cp1252")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("--database", default="essms_bench_remittance")
    parser.add_argument("--invoices", type=int, default=5000)
    parser.add_argument("--no-create", action="store_true",
                        help="the database was just created without demo (make create-db): do not create it again")
    args = parser.parse_args(argv)
    if not args.database.startswith("essms_bench"):
        parser.error("the bench database is dropped and recreated: its name must start with essms_bench")
    out("essms_billing remittance bench: %s advice lines against %s open invoices, database %s; %s"
        % (args.invoices, args.invoices, args.database, load()))
    if not args.no_create:
        out("creating database %s: %.0f s" % (args.database, create_database(args.database)))
    config.parse_config(["-c", args.conf, "-d", args.database, "--log-level=warn"])
    bench = RemittanceBench(args.database)

    row, (payer_id, bank_id, (ours, theirs)) = bench.setup(args.invoices)
    out("%s: %.1f s" % (row["step"], row["seconds"]))
    with bench.registry.cursor() as cr:
        content = RemittanceBench.advice(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), ours)

    def import_and_match(env):
        remittance = env["essms.remittance"].create(
            {
                "partner_id": payer_id,
                "journal_id": bank_id,
                "date": date(2025, 8, 20),
                "file": base64.b64encode(content),
                "filename": "avis.csv",
            }
        )
        remittance.action_import()
        return remittance.id

    def post(env):
        remittance = env["essms.remittance"].browse(remittance_id)
        remittance.action_post()
        return remittance

    def odoo_wizard(env):
        wizard = env["account.payment.register"].with_context(active_model="account.move", active_ids=theirs)
        return wizard.create({"payment_date": date(2025, 8, 20), "group_payment": True})._create_payments()

    import_row, remittance_id = bench.timed("advice: import and match", import_and_match)
    post_row, _remittance = bench.timed("advice: post (1 payment, reconcile)", post)
    odoo_row, _payments = bench.timed("Odoo register payment (grouped)", odoo_wizard)

    with bench.registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        remittance = env["essms.remittance"].browse(remittance_id)
        statuses = {}
        for line in remittance.line_ids:
            key = (line.status, line.match_method)
            statuses[key] = statuses.get(key, 0) + 1
        unpaid_ours = env["account.move"].search_count(
            [("id", "in", ours), ("payment_state", "not in", ("paid", "in_payment"))]
        )
        unpaid_theirs = env["account.move"].search_count(
            [("id", "in", theirs), ("payment_state", "not in", ("paid", "in_payment"))]
        )

    out()
    out("  %-40s %9s %11s %9s" % ("step", "seconds", "python cpu", "queries"))
    for row in (import_row, post_row, odoo_row):
        out("  %-40s %9.2f %11.2f %9d" % (row["step"], row["seconds"], row["cpu"], row["queries"]))
    total = import_row["seconds"] + post_row["seconds"]
    ratio = total / odoo_row["seconds"] if odoo_row["seconds"] else float("inf")
    post_ratio = post_row["seconds"] / odoo_row["seconds"] if odoo_row["seconds"] else float("inf")
    out("  lines: %s" % ", ".join("%s by %s: %s" % (status, method or "-", count)
                                  for (status, method), count in sorted(statuses.items(), key=str)))
    out("  invoices left unpaid: advice %s, Odoo wizard %s" % (unpaid_ours, unpaid_theirs))
    out("  advice, import to reconciliation: %.1f s (target < %.0f s) %s"
        % (total, TOTAL_TARGET, "ok" if total < TOTAL_TARGET else "MISSED"))
    out("  ratio advice / Odoo wizard: %.2f (target <= %.1f) %s; posting alone: %.2f"
        % (ratio, RATIO_TARGET, "ok" if ratio <= RATIO_TARGET else "MISSED", post_ratio))
    return 1 if unpaid_ours or unpaid_theirs else 0


if __name__ == "__main__":
    sys.exit(main())
