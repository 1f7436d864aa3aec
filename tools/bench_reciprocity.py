#!/usr/bin/env python3
"""Benchmark the billing vs accounting control (réciprocité comptable) on a month of 2 000 beneficiaries.

Usage: bench_reciprocity.py ODOO_CONF [--database essms_bench_reciprocity] [--beneficiaries 2000]
                            [--establishments 10] [--reuse]

Default: drop and recreate DATABASE without demo, generate the beneficiaries and bill the month before last as
tools/bench_portal.py does (tools/bench_common.py), then time the control over the month the invoices are dated
in (every establishment's sales journal, every payer), in its own transaction. --reuse times the last month invoiced
in an existing database instead (`make bench` runs it on tools/bench.py's database).
Target: under 20 s. A missed target prints MISSED; the exit code is 0 unless the bench itself fails.
"""

import sys
from pathlib import Path

from dateutil.relativedelta import relativedelta

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import billed_month
from bench_common import month_parser
from bench_common import out
from bench_common import print_rows

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
    parser = month_parser(__doc__, "essms_bench_reciprocity")
    args = parser.parse_args(argv)
    bench, month = billed_month(parser, args, "essms_billing reciprocity bench")
    print_rows(month, measure(bench, month), TARGET)
    out("  target: under %.0f s" % TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
