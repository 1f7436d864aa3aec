#!/usr/bin/env python3
"""Benchmark the dunning proposal: 100 000 debtors with 500 000 open invoices, proposed in under 60 s.

Usage: bench_dunning.py ODOO_CONF [--database essms_bench] [--debtors 100000] [--invoices 500000]

DATABASE must have essms_billing installed (`make bench` creates it with tools/bench.py first). In one
transaction the script inserts the debtors (residents and families) and their posted, unpaid invoices by SQL —
only the columns a proposal reads; making 50 000 real invoices would take longer than the proposal itself — then
times a dunning run's proposal (claims, credits, holds and protections loaded, the engine called per debtor, the
letters and their lines created) and rolls everything back: the database is left as it was.

Target (issue 20): 500 000 invoices of 100 000 debtors proposed under 60 s (issue 5's was 50 000 invoices of
10 000 debtors). The line prints the wall time, the CPU time of this process, the queries and the process's peak
memory, with ``ok`` or ``MISSED``; the exit code stays 0.
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import load
from bench_common import measured
from bench_common import out
from bench_common import target

import odoo
from odoo.tools import SQL
from odoo.tools import config

TARGET = 60.0


def generate(env, debtors, invoices, today):
    """Debtors and their invoices, by SQL: each debtor gets invoices due month after month before ``today``."""
    cr = env.cr
    company = env.company
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    if not journal:
        raise SystemExit("No sales journal in %s: install essms_billing with a chart of accounts first." % cr.dbname)
    cr.execute(SQL(
        """
        INSERT INTO res_partner (name, complete_name, active, type, is_company, essms_payer_kind, lang,
                                 autopost_bills, create_uid, write_uid, create_date, write_date)
        SELECT 'Bench debtor ' || n, 'Bench debtor ' || n, TRUE, 'contact', FALSE,
               CASE WHEN mod(n, 10) = 0 THEN 'family' ELSE 'resident' END, 'fr_FR', 'ask', 1, 1, now(), now()
          FROM generate_series(1, %s) AS n
        RETURNING id
        """,
        debtors,
    ))
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(SQL("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", partner_ids))
    # Invoice n goes to debtor n mod debtors, due (n div debtors) months and a few days before today, so that
    # the claims spread over every level of the policy; amounts vary around a month of contribution.
    cr.execute(SQL(
        """
        INSERT INTO account_move (name, move_type, state, journal_id, company_id, currency_id, date, invoice_date,
                                  invoice_date_due, partner_id, commercial_partner_id, amount_untaxed,
                                  amount_total, amount_residual, amount_untaxed_signed, amount_total_signed,
                                  amount_residual_signed, payment_state, auto_post, create_uid, write_uid,
                                  create_date, write_date)
        SELECT 'BENCH/' || n, 'out_invoice', 'posted', %(journal)s, %(company)s, %(currency)s, due, due, due,
               partner, partner, amount, amount, amount, amount, amount, amount, 'not_paid', 'no', 1, 1, now(), now()
          FROM (
                SELECT n,
                       (%(partners)s::int[])[mod(n, %(debtors)s) + 1] AS partner,
                       %(today)s::date - ((n / %(debtors)s) * 30 + 5 + mod(n, 25)) AS due,
                       round((500 + mod(n * 37, 400))::numeric, 2) AS amount
                  FROM generate_series(0, %(invoices)s - 1) AS n
               ) AS generated
        """,
        journal=journal.id,
        company=company.id,
        currency=company.currency_id.id,
        partners=partner_ids,
        debtors=debtors,
        today=today,
        invoices=invoices,
    ))
    cr.execute(SQL("ANALYZE res_partner; ANALYZE account_move"))
    env.invalidate_all()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("--database", default="essms_bench")
    parser.add_argument("--debtors", type=int, default=100000)
    parser.add_argument("--invoices", type=int, default=500000)
    args = parser.parse_args(argv)
    config.parse_config(["-c", args.conf, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    today = date.today()
    out("essms_billing dunning bench: %s debtors, %s open invoices, database %s; %s"
        % (args.debtors, args.invoices, args.database, load()))
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        start = time.perf_counter()
        generate(env, args.debtors, args.invoices, today)
        out("generated in %.1f s (by SQL, rolled back at the end)" % (time.perf_counter() - start))
        run = env["essms.dunning.run"].create({"date": today})
        env.flush_all()
        with measured() as row:
            run.action_propose()
            env.flush_all()
        seconds, queries = row["seconds"], row["queries"]
        letters = run.letter_ids
        lines = env["essms.dunning.letter.line"].search_count([("letter_id", "in", letters.ids)])
        out("%-28s %10s %10s %10s %10s" % ("step", "letters", "lines", "seconds", "queries"))
        out("%-28s %10d %10d %10.1f %10d" % ("proposal (action_propose)", len(letters), lines, seconds, queries))
        out("levels proposed: %s" % (
            ", ".join("%s %d" % (level.name, count) for level, count in sorted(
                env["essms.dunning.letter"]._read_group(
                    [("id", "in", letters.ids)], ["level_id"], ["__count"]
                ), key=lambda row: row[0].sequence,
            )),
        ))
        target("proposal over %d invoices of %d debtors" % (args.invoices, args.debtors), row, TARGET)
        cr.rollback()
    return 0


if __name__ == "__main__":
    sys.exit(main())
