#!/usr/bin/env python3
"""Benchmark the département-portal export and the activity vs billing control on a month of 2 000 beneficiaries.

Usage: bench_portal.py ODOO_CONF [--database essms_bench_portal] [--beneficiaries 2000] [--establishments 10]
                       [--reuse]

Default: drop and recreate DATABASE without demo (`make create-db`), generate the beneficiaries as
tools/bench.py does (the demo addon's generator), bill the month before last (statements, compute,
invoicing), then time, each in its own transaction: the portal export of that month for every
establishment with the CD66 layout (XLSX) and with the compact layout (CSV, one column per day, which
classifies every day again), once per département paying there; and the activity vs billing control of the
month (every row read, then the rows with a difference, as the list opens). --reuse times the last month
invoiced in an existing database instead (`make bench` runs it on tools/bench.py's database).
Target: each under 20 s. A missed target prints MISSED; the exit code is 0 unless the bench itself fails.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import billed_month
from bench_common import month_parser
from bench_common import out
from bench_common import print_rows

from odoo import Command

TARGET = 20.0


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
    parser = month_parser(__doc__, "essms_bench_portal")
    args = parser.parse_args(argv)
    bench, month = billed_month(parser, args, "essms_billing portal and control bench")
    print_rows(month, measure(bench, month), TARGET)
    out("  target: each under %.0f s" % TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
