#!/usr/bin/env python3
"""Benchmark the département-portal export and the activity vs billing control on a month of 2 000 beneficiaries.

Usage: bench_portal.py ODOO_CONF [--database essms_bench_portal] [--beneficiaries 2000] [--establishments 10]
                       [--reuse]

Default: drop and recreate DATABASE without demo (`make create-db`), generate the beneficiaries as
tools/bench.py does (models/essms_demo_generator.py), bill the month before last (statements, compute,
invoicing), then time, each in its own transaction: the portal export of that month for every
establishment with the CD66 layout (XLSX) and with the compact layout (CSV, one column per day, which
classifies every day again), once per département paying there; and the activity vs billing control of the
month (every row read, then the rows with a difference, as the list opens). --reuse times the last month
invoiced in an existing database instead (`make bench` runs it on tools/bench.py's database).
Target: each under 20 s. A missed target prints MISSED; the exit code is 0 unless the bench itself fails.
"""

import argparse
import sys
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import Bench
from bench import create_database
from bench import load
from bench import out
from bench import verdict

from odoo import Command
from odoo.tools import config

TARGET = 20.0


def bill(bench, month):
    def statements(env):
        establishments = env["essms.establishment"].search([("company_id", "=", env.company.id)])
        records = env["essms.activity.statement"].create(
            [{"establishment_id": establishment.id, "period_start": month} for establishment in establishments]
        )
        records.action_submit()
        records.filtered(lambda statement: not statement.blocking_count).action_validate()
        run = env["essms.billing.run"].create(
            {"period_start": month, "establishment_ids": [Command.set(establishments.ids)]}
        )
        return run.id

    row, run_id = bench.timed("activity statements", 0, statements)
    out("  %-40s %7.1f s" % (row["step"], row["seconds"]))

    def compute_and_invoice(env):
        run = env["essms.billing.run"].browse(run_id)
        run.action_compute()
        run.action_invoice()
        return len(run.move_ids)

    row, _count = bench.timed("run compute + invoicing", lambda count: count, compute_and_invoice)
    out("  %-40s %7.1f s (%s invoices)" % (row["step"], row["seconds"], row["count"]))


def measure(bench, month):
    rows = []
    with bench.env() as env:
        establishments = env["essms.establishment"].search([("company_id", "=", env.company.id)]).ids
        lines = env["essms.billing.line"].search([("period_start", "=", month), ("role", "=", "payer")])
        payers = [payer.id for payer in lines.payer_id if payer.essms_payer_kind == "departement"]
        layouts = [("CD66 xlsx", env.ref("essms_billing.portal_layout_cd66").id),
                   ("compact csv", env.ref("essms_billing.portal_layout_compact").id)]
    for label, layout in layouts:
        for payer in payers:
            def export(env, layout=layout, payer=payer):
                wizard = env["essms.portal.export"].create({
                    "period_start": month, "payer_id": payer, "layout_id": layout,
                    "establishment_ids": [Command.set(establishments)],
                })
                wizard.action_export()
                return wizard.row_count, wizard.payer_id.name

            row, (count, payer_name) = bench.timed("portal export", 0, export)
            row.update(count=count, step="portal export %s: %s" % (label, payer_name))
            rows.append(row)

    def control(env):
        model = env["essms.activity.billing.control"]
        records = model.search_fetch([("period_start", "=", month)], ["activity_days", "invoiced_days",
                                                                       "difference_days", "beneficiary_id"])
        differences = model.search([("period_start", "=", month), ("has_difference", "=", True)], limit=80)
        model.read_group([("period_start", "=", month)], ["activity_days:sum", "invoiced_days:sum"],
                         ["establishment_id"])
        # The list as it opens from the menu: every month, differences first, first page.
        model.search([], limit=80)
        return len(records), len(differences)

    row, (count, differences) = bench.timed("activity vs billing control", 0, control)
    row.update(count=count, step="activity vs billing control (%d with a difference)" % differences)
    rows.append(row)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("--database", default="essms_bench_portal")
    parser.add_argument("--beneficiaries", type=int, default=2000)
    parser.add_argument("--establishments", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="time the last month invoiced in DATABASE")
    args = parser.parse_args(argv)
    if not args.database.startswith("essms_bench"):
        parser.error("the bench database is dropped and recreated: its name must start with essms_bench")
    out("essms_billing portal and control bench: database %s; %s" % (args.database, load()))
    if not args.reuse:
        out("creating database %s: %.0f s" % (args.database, create_database(args.database)))
    config.parse_config(["-c", args.conf, "-d", args.database, "--log-level=warn"])
    bench = Bench(args.database)
    if args.reuse:
        month = bench.last_month_billed()
        if not month:
            parser.error("--reuse: no month invoiced in %s" % args.database)
    else:
        date_ref = date.today().replace(day=1)
        month = date_ref - relativedelta(months=2)
        row, summary = bench.generate(args.beneficiaries, args.establishments, date_ref)
        out("generated in %.1f s: %s beneficiaries, %s stays" % (row["seconds"], summary["beneficiaries"],
                                                                 summary["stays"]))
        bill(bench, month)
        bench.vacuum(analyze=True)
    out()
    out("month %s (%s)" % (month.strftime("%Y-%m"), load()))
    out("  %-70s %7s %9s %9s" % ("step", "rows", "seconds", "queries"))
    for row in measure(bench, month):
        out("  %-70s %7d %9.2f %9d   %s" % (row["step"][:70], row["count"], row["seconds"], row["queries"],
                                         verdict(row["seconds"] < TARGET)))
    out("  target: each under %.0f s" % TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
