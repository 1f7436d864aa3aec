#!/usr/bin/env python3
"""Benchmark the recovery dashboard: its figures and its XLSX export over 1 000 000 invoices.

Usage: bench_dashboard.py ODOO_CONF [--database essms_bench] [--items 1000000] [--prescription-items 100000]
                          [--payers 2000] [--keep] [--reuse]

--reuse times it on the invoices `tools/bench_ageing.py --keep` left (one set-up of a million invoices for both).

In DATABASE (essms_billing installed, e.g. the one `make bench` just billed), insert the invoices of the
due-date tracking bench (tools/bench_ageing.py: posted customer invoices over two years, a tenth partly paid),
then by SQL what the recovery figures read: a sent reminder for every twentieth invoice (15 days after its
date), holds on every hundredth invoice and on twenty payers, 2 000 promises to pay. Then, each in its own
transaction and timed (wall, CPU of this process, queries):

- the prescription dates of all the invoices first computed from none, by 100 000 (set-up, printed, no target),
  then those of 100 000 of them (--prescription-items) recomputed in batch, as every module update, mass import
  or event on many invoices does;
- the dashboard over the two years: every figure (`essms.recovery.dashboard._figures`);
- the XLSX export of the dashboard (figures and workbook).

Targets (issue 20): the prescription dates of 100 000 invoices under 10 s, the figures over 1 000 000 invoices
under 20 s; the XLSX export under 20 s (issue 6). Each line prints wall time, CPU time, queries and the process's
peak memory with ``ok`` or ``MISSED``; the exit code is 0 unless the bench fails.
The machine may be shared: the CPU time says what the load hides. The inserted rows are deleted at the end
unless --keep.
"""

import argparse
import base64
import io
import sys
import time
from datetime import date
from datetime import timedelta

import bench_ageing
from bench_common import describe
from bench_common import load
from bench_common import measured
from bench_common import out
from bench_common import target

import odoo
from odoo.tools import SQL
from odoo.tools import config

TARGET = 20.0
PRESCRIPTION_TARGET = 10.0
MARK = "essms bench dashboard"


def cleanup(env):
    """Delete what an earlier run inserted (letters, runs, holds, promises), then the ageing bench's entries."""
    journal = bench_ageing._journal(env)
    env.cr.execute(SQL(
        """
        DELETE FROM essms_dunning_letter letter USING essms_dunning_run run
         WHERE letter.run_id = run.id AND run.name = %(mark)s;
        DELETE FROM essms_dunning_run WHERE name = %(mark)s;
        DELETE FROM essms_recovery_hold WHERE note = %(mark)s;
        DELETE FROM essms_promise WHERE note = %(mark)s;
        UPDATE account_move SET essms_prescription_date = NULL WHERE journal_id = %(journal)s;
        """,
        mark=MARK, journal=journal.id,
    ))
    bench_ageing.cleanup(env)


def cleanup_recovery(env):
    """Delete the letters, holds and promises an earlier run inserted, keep the ageing bench's invoices."""
    env.cr.execute(SQL(
        """
        DELETE FROM essms_dunning_letter letter USING essms_dunning_run run
         WHERE letter.run_id = run.id AND run.name = %(mark)s;
        DELETE FROM essms_dunning_run WHERE name = %(mark)s;
        DELETE FROM essms_recovery_hold WHERE note = %(mark)s;
        DELETE FROM essms_promise WHERE note = %(mark)s;
        UPDATE account_move SET essms_prescription_date = NULL WHERE journal_id = %(journal)s;
        """,
        mark=MARK, journal=bench_ageing._journal(env).id,
    ))


def existing(env, items):
    """The partly paid invoices among those tools/bench_ageing.py --keep left; stops if they are not ``items``."""
    journal = bench_ageing._journal(env)
    env.cr.execute(SQL(
        """
        SELECT count(*) FILTER (WHERE move_type = 'out_invoice'), count(*) FILTER (WHERE move_type = 'entry')
          FROM account_move WHERE journal_id = %s
        """,
        journal.id,
    ))
    invoices, paid = env.cr.fetchone()
    if invoices != items:
        raise SystemExit("--reuse: %d bench invoices in the database, not %d: run tools/bench_ageing.py --items %d "
                         "--keep first" % (invoices, items, items))
    return paid


def setup(env):
    """Letters, holds and promises on the ageing bench's invoices, by SQL; return their counts."""
    company = env.company
    journal = bench_ageing._journal(env)
    level = env.ref("essms_billing.dunning_policy_resident_reminder")
    today = date.today()
    params = {
        "mark": MARK, "journal": journal.id, "company": company.id, "currency": company.currency_id.id,
        "policy": level.policy_id.id, "level": level.id, "today": today,
    }
    env.cr.execute(SQL(
        """
        INSERT INTO essms_dunning_run (name, date, company_id, state, create_uid, write_uid, create_date, write_date)
        VALUES (%(mark)s, %(today)s, %(company)s, 'sent', 1, 1, now(), now());

        CREATE TEMP TABLE bench_letter ON COMMIT DROP AS
        SELECT nextval('essms_dunning_letter_id_seq') AS letter_id, move.id AS move_id, move.partner_id,
               LEAST(move.invoice_date + 15, %(today)s::date) AS date, move.amount_residual AS amount
          FROM account_move move
         WHERE move.journal_id = %(journal)s AND move.move_type = 'out_invoice' AND mod(move.id, 20) = 0;

        INSERT INTO essms_dunning_letter (id, run_id, company_id, currency_id, date, partner_id, policy_id, level_id,
                                          state, sent_date, amount_due, create_uid, write_uid, create_date,
                                          write_date)
        SELECT letter.letter_id, (SELECT max(id) FROM essms_dunning_run WHERE name = %(mark)s), %(company)s,
               %(currency)s, letter.date, letter.partner_id, %(policy)s, %(level)s, 'sent', letter.date,
               letter.amount, 1, 1, now(), now()
          FROM bench_letter letter;

        INSERT INTO essms_dunning_letter_line (letter_id, company_id, currency_id, move_id, partner_id, level_id,
                                               amount_total, residual, amount_due, create_uid, write_uid,
                                               create_date, write_date)
        SELECT letter.letter_id, %(company)s, %(currency)s, letter.move_id, letter.partner_id, %(level)s,
               letter.amount, letter.amount, letter.amount, 1, 1, now(), now()
          FROM bench_letter letter;

        INSERT INTO essms_recovery_hold (reason, company_id, move_id, date_start, note, create_uid, write_uid,
                                         create_date, write_date)
        SELECT CASE WHEN mod(move.id, 200) = 0 THEN 'dispute' ELSE 'pending_correction' END, %(company)s,
               move.id, %(today)s::date - 10, %(mark)s, 1, 1, now(), now()
          FROM account_move move
         WHERE move.journal_id = %(journal)s AND move.move_type = 'out_invoice' AND mod(move.id, 100) = 0;

        INSERT INTO essms_recovery_hold (reason, company_id, partner_id, date_start, note, create_uid, write_uid,
                                         create_date, write_date)
        SELECT 'pending_decision', %(company)s, payer.partner_id, %(today)s::date - 30, %(mark)s, 1, 1, now(), now()
          FROM (SELECT DISTINCT partner_id FROM account_move
                 WHERE journal_id = %(journal)s AND move_type = 'out_invoice' ORDER BY partner_id LIMIT 20) payer;

        INSERT INTO essms_promise (company_id, partner_id, date, date_promised, amount, state, note, create_uid,
                                   write_uid, create_date, write_date)
        SELECT %(company)s, move.partner_id, move.invoice_date + 40, move.invoice_date + 50, 100.0,
               (ARRAY['kept', 'broken', 'open'])[1 + mod(move.id, 3)], %(mark)s, 1, 1, now(), now()
          FROM account_move move
         WHERE move.journal_id = %(journal)s AND move.move_type = 'out_invoice' AND mod(move.id, 50) = 0;
        """,
        **params,
    ))
    env.cr.execute(SQL(
        """
        SELECT (SELECT count(*) FROM bench_letter),
               (SELECT count(*) FROM essms_recovery_hold WHERE note = %(mark)s),
               (SELECT count(*) FROM essms_promise WHERE note = %(mark)s)
        """,
        mark=MARK,
    ))
    return env.cr.fetchone()


def timed(registry, function, rollback=False):
    """``(row, result)``: ``function(env)`` measured in its own transaction (``bench_common.measured``)."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        with measured() as row:
            result = function(env)
            env.flush_all()
        if rollback:
            cr.rollback()
        else:
            cr.commit()  # pylint: disable=invalid-commit
    return row, result


def compute_prescription(env, limit, offset=0):
    """The prescription dates of ``limit`` of the bench's invoices (after the first ``offset``), recomputed as a
    module update or an event triggers it: the field marked to compute, then computed in batch."""
    journal = bench_ageing._journal(env)
    moves = env["account.move"].search([("journal_id", "=", journal.id), ("move_type", "=", "out_invoice")],
                                       limit=limit, offset=offset, order="id")
    field = moves._fields["essms_prescription_date"]
    env.add_to_compute(field, moves)
    moves._recompute_recordset(["essms_prescription_date"])
    return len(moves)


def _dashboard(env):
    today = date.today()
    return env["essms.recovery.dashboard"].create({"date_from": today - timedelta(days=730), "date_to": today})


def figures(env):
    return _dashboard(env)._figures()


def export(env):
    dashboard = _dashboard(env)
    dashboard.action_export()
    return base64.b64decode(dashboard.file)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("--database", default="essms_bench")
    parser.add_argument("--items", type=int, default=1000000)
    parser.add_argument("--prescription-items", type=int, default=100000,
                        help="invoices whose prescription date is recomputed (target for 100 000: < 10 s)")
    parser.add_argument("--payers", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the inserted documents")
    parser.add_argument("--reuse", action="store_true",
                        help="time on the invoices tools/bench_ageing.py --keep left (as many as --items)")
    args = parser.parse_args(argv)
    config.parse_config(["-c", args.conf, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    out("essms_billing recovery dashboard bench: %d invoices, %d payers, database %s; %s"
        % (args.items, args.payers, args.database, load()))

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        start = time.perf_counter()
        if args.reuse:
            cleanup_recovery(env)
            paid = existing(env, args.items)
        else:
            cleanup(env)
            paid = bench_ageing.setup(env, args.items, args.payers)
        letters, holds, promises = setup(env)
        cr.commit()  # pylint: disable=invalid-commit
        cr.execute(SQL("ANALYZE account_move, account_move_line, account_partial_reconcile, res_partner, "
                       "essms_dunning_letter, essms_dunning_letter_line, essms_recovery_hold, essms_promise"))
        cr.commit()  # pylint: disable=invalid-commit
        out("set-up (not measured): %d invoices (%d partly paid), %d letters sent, %d holds, %d promises, "
            "inserted by SQL in %.1f s" % (args.items, paid, letters, holds, promises, time.perf_counter() - start))

    try:
        # The invoices' first prescription dates, from none (set-up: what posting them computes), by batches of
        # 100 000 in their own transactions.
        start, done, first = time.perf_counter(), 0, None
        while True:
            row, count = timed(registry, lambda env, done=done: compute_prescription(env, 100000, done))
            first = first or row
            if not count:
                break
            done += count
        out("prescription dates of the %d invoices, first computed (set-up, no target): %.1f s; the first 100 000: "
            "%s; %s" % (done, time.perf_counter() - start, describe(first), load()))
        with registry.cursor() as cr:
            cr.execute(SQL("ANALYZE account_move"))
        # What every module update, mass import or event on many invoices pays: recomputed, mostly unchanged.
        row, count = timed(registry, lambda env: compute_prescription(env, args.prescription_items))
        target("prescription dates of %d invoices recomputed" % count, row, PRESCRIPTION_TARGET)
        row, result = timed(registry, figures, rollback=True)
        target("dashboard figures over %d invoices" % args.items, row, TARGET,
               "billed %.2f, outstanding %.2f, %d reminder levels" % (
                   result["billing"]["billed"], result["outstanding_total"]["total"], len(result["reminders"])))
        row, content = timed(registry, export, rollback=True)
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        detail = sum(1 for _row in book[book.sheetnames[-1]].iter_rows(min_row=5)) - 1
        target("dashboard XLSX export over %d invoices" % args.items, row, TARGET,
               "%d sheets, %d claims close to prescription listed, %.1f MB" % (
                   len(book.sheetnames), detail, len(content) / 1e6))
    finally:
        if not args.keep:
            with registry.cursor() as cr:
                cleanup(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}))
                cr.commit()  # pylint: disable=invalid-commit
    return 0


if __name__ == "__main__":
    sys.exit(main())
