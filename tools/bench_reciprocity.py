#!/usr/bin/env python3
"""Benchmark the billing vs accounting control (réciprocité comptable) on a month of 2 000 beneficiaries.

Usage: bench_reciprocity.py ODOO_CONF [--database essms_bench_reciprocity] [--beneficiaries 2000]
                            [--establishments 10] [--reuse]

Default: drop and recreate DATABASE without demo, generate the beneficiaries and bill the month before last as
tools/bench_portal.py does, then time the control over the month the invoices are dated in (every
establishment's sales journal, every payer), in its own transaction. --reuse times the last month invoiced
in an existing database instead (`make bench` runs it on tools/bench.py's database).
Target: under 20 s. A missed target prints MISSED; the exit code is 0 unless the bench itself fails.
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
from bench_portal import bill

from odoo.tools import config

TARGET = 20.0


def measure(bench, month):
    with bench.env() as env:
        # The invoices of a month are dated when the run invoiced them: compare over that month.
        moves = env["account.move"].search([("essms_run_id.period_start", "=", month)], order="date desc", limit=1)
        invoiced_on = moves.date or month
    date_from = invoiced_on.replace(day=1)
    date_to = date_from + relativedelta(months=1, days=-1)

    def control(env):
        wizard = env["essms.accounting.reciprocity"].create({"date_from": date_from, "date_to": date_to})
        wizard.action_compute()
        # What the form shows: both pages read.
        wizard.journal_line_ids.read(["journal_id", "expected_amount", "ledger_amount", "difference"])
        wizard.payer_line_ids.read(["partner_id", "expected_amount", "ledger_amount", "difference"])
        return len(wizard.line_ids), wizard.difference_count

    row, (count, differences) = bench.timed("billing vs accounting control", 0, control)
    row.update(count=count, step="billing vs accounting control %s (%d with a difference)" % (
        date_from.strftime("%Y-%m"), differences))
    return [row]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("--database", default="essms_bench_reciprocity")
    parser.add_argument("--beneficiaries", type=int, default=2000)
    parser.add_argument("--establishments", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="time the last month invoiced in DATABASE")
    args = parser.parse_args(argv)
    if not args.database.startswith("essms_bench"):
        parser.error("the bench database is dropped and recreated: its name must start with essms_bench")
    out("essms_billing reciprocity bench: database %s; %s" % (args.database, load()))
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
    out("  target: under %.0f s" % TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
