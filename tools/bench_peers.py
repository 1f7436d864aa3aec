#!/usr/bin/env python3
"""Peers in the same run: our dunning proposal and OCA's account_credit_control on the same open invoices.

Usage: bench_peers.py ODOO_CONF [--database essms_bench_peers] [--debtors 10000] [--invoices 50000] [--reuse]

`make bench-peers` runs it after `make oca-peers` has unpacked OCA's `account_credit_control` (18.0, a pinned wheel
from PyPI) into the build's addons directory. DATABASE is dropped and recreated as `make create-db DEMO=0` makes
the bench database (essms_billing, in French, no demo), then `account_credit_control` is installed in it; with
``--reuse`` a database that already has both is used as it is.

In one transaction, rolled back at the end (the database is left as it was):

- the debtors and their posted, unpaid invoices of tools/bench_dunning.py, by its own builder (``generate``), and
  each invoice's two journal items, by SQL: the receivable debit on the partner's receivable account, due at the
  invoice's due date, and the income credit — the peer reads the receivable items (account, due date, partner,
  residual), our proposal the invoices;
- OCA's own three-level policy (*3 time policy*: 10 days net, 30 days end of month, 10 days after the previous
  reminder) set as the company's policy on its receivable account;
- timed, each with its wall time, the Odoo process's CPU time and its queries: (a) our proposal
  (``essms.dunning.run.action_propose``: letters grouped by addressee, ready for review); (b) the peer's run
  (``credit.control.run.generate_credit_lines``: one credit control line per overdue receivable item); (c) the
  peer's communications, its nearest to our reviewable proposal: the run's lines marked *to be sent*
  (``set_to_ready_lines``) and grouped into one ``credit.control.communication`` per partner and level
  (``_generate_comm_from_credit_lines``, what its *run channel action* does before sending or printing).

Both run in the same environment (tracking disabled, as tools/bench_dunning.py times ours). The ratio printed is
the peer's run and communications ÷ our proposal (target ≥ 50). A missed target prints MISSED; the exit code
stays 0. On a shared machine compare the CPU times: the load average is printed beside each figure.
"""

import argparse
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import describe
from bench_common import load
from bench_common import measured
from bench_common import out
from bench_common import verdict
from bench_dunning import generate

import odoo
from odoo.tools import SQL
from odoo.tools import config

ROOT = Path(__file__).resolve().parent.parent
PEER = "account_credit_control"
TARGET = 50.0


def create_database(conf, database):
    """`make create-db DEMO=0` (the bench database as the Makefile makes it), then the peer installed in it."""
    start = time.perf_counter()
    subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "create-db", "DB=%s" % database, "DEMO=0"], check=True
    )
    log = Path(conf).resolve().parent / ("%s-%s.log" % (database, PEER))
    subprocess.run(
        [sys.executable, "-m", "odoo", "-c", conf, "-d", database, "-i", PEER, "--stop-after-init",
         "--logfile=%s" % log],
        check=True,
    )
    errors = [line for line in log.read_text().splitlines() if " ERROR " in line or " CRITICAL " in line]
    if errors:
        raise SystemExit("Installing %s in %s logged errors (%s):\n%s" % (PEER, database, log, "\n".join(errors)))
    return time.perf_counter() - start


def vacuum(database):
    """VACUUM ANALYZE the tables an earlier run wrote and rolled back: its dead rows would otherwise be scanned
    again (the peer's communications scan its lines once per partner and level)."""
    start = time.perf_counter()
    subprocess.run(
        ["psql", "-q", "-c", "VACUUM ANALYZE res_partner, account_move, account_move_line, credit_control_line, "
         "credit_control_communication, essms_dunning_letter, essms_dunning_letter_line", database],
        check=True,
    )
    return time.perf_counter() - start


def installed(database, modules):
    """The modules among ``modules`` installed in ``database`` (empty when it does not exist)."""
    found = subprocess.run(
        ["psql", "-Atc", "SELECT name FROM ir_module_module WHERE state = 'installed' AND name = ANY('{%s}')"
         % ",".join(modules), database],
        capture_output=True, text=True,
    )
    return set(found.stdout.split()) if found.returncode == 0 else set()


def add_journal_items(env):
    """Each invoice of ``generate`` gets its journal items, by SQL: the receivable debit (the partner's receivable
    account, due at the invoice's due date, open for its residual) and the income credit. Returns the receivable
    account."""
    cr = env.cr
    company = env.company
    receivable = env["account.account"].browse(
        env["ir.default"]._get("res.partner", "property_account_receivable_id", company_id=company.id)
    )
    if not receivable or receivable.account_type != "asset_receivable":
        raise SystemExit("No default receivable account for %s in %s." % (company.name, cr.dbname))
    journals = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    income = journals.default_account_id
    if not income:
        raise SystemExit("The sales journal %s has no income account in %s." % (journals.name, cr.dbname))
    # The receivable debit is open for the invoice's residual; the income credit is closed from the start.
    amount, residual, zero = SQL("move.amount_total"), SQL("move.amount_residual"), SQL("0")
    for account, display_type, debit, credit, open_amount, due in (
        (receivable, "payment_term", amount, zero, residual, SQL("move.invoice_date_due")),
        (income, "product", zero, amount, zero, SQL("NULL")),
    ):
        cr.execute(SQL(
            """
            INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id, currency_id,
                                           move_name, parent_state, date, invoice_date, date_maturity, account_id,
                                           partner_id, name, display_type, sequence, quantity, price_unit,
                                           debit, credit, balance, amount_currency, amount_residual,
                                           amount_residual_currency, reconciled, create_uid, write_uid,
                                           create_date, write_date)
            SELECT move.id, move.journal_id, move.company_id, move.currency_id, move.currency_id, move.name,
                   move.state, move.date, move.invoice_date, %(due)s, %(account)s, move.partner_id, move.name,
                   %(display_type)s, 10, 1, move.amount_total, %(debit)s, %(credit)s, %(debit)s - %(credit)s,
                   %(debit)s - %(credit)s, %(open)s, %(open)s, FALSE, 1, 1, now(), now()
              FROM account_move move
             WHERE move.name LIKE %(pattern)s AND move.company_id = %(company)s
            """,
            due=due,
            account=account.id,
            display_type=display_type,
            debit=debit,
            credit=credit,
            open=open_amount,
            pattern="BENCH/%",
            company=company.id,
        ))
    cr.execute(SQL("ANALYZE account_move_line"))
    env.invalidate_all()
    return receivable


def peer_policy(env, receivable):
    """OCA's own three-level policy, the company's, on its receivable account."""
    policy = env.ref("account_credit_control.credit_control_3_time")
    policy.write({"account_ids": [odoo.Command.link(receivable.id)]})
    env.company.credit_policy_id = policy
    env.flush_all()
    return policy


def levels(env, model, ids, field, order):
    """``policy / level: count, …`` of the records ``ids`` of ``model`` grouped by their level ``field``, the
    levels sorted by their field ``order``."""
    groups = env[model]._read_group([("id", "in", ids)], [field], ["__count"])
    return ", ".join("%s / %s: %d" % (level.policy_id.name, level.name, count)
                     for level, count in sorted(groups, key=lambda group: group[0][order]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("--database", default="essms_bench_peers")
    parser.add_argument("--debtors", type=int, default=10000)
    parser.add_argument("--invoices", type=int, default=50000)
    parser.add_argument("--reuse", action="store_true",
                        help="use DATABASE as it is when essms_billing and %s are installed in it" % PEER)
    args = parser.parse_args(argv)
    if not args.database.startswith("essms_bench"):
        parser.error("the bench database is dropped and recreated: its name must start with essms_bench")
    out("peers bench: our dunning proposal and OCA's %s, %s debtors, %s open invoices, database %s; %s"
        % (PEER, args.debtors, args.invoices, args.database, load()))
    if args.reuse and installed(args.database, ["essms_billing", PEER]) == {"essms_billing", PEER}:
        out("reusing database %s: vacuumed in %.0f s" % (args.database, vacuum(args.database)))
    else:
        out("creating database %s with essms_billing and %s: %.0f s"
            % (args.database, PEER, create_database(args.conf, args.database)))
    config.parse_config(["-c", args.conf, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    today = date.today()
    rows = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        start = time.perf_counter()
        generate(env, args.debtors, args.invoices, today)
        receivable = add_journal_items(env)
        policy = peer_policy(env, receivable)
        out("generated in %.1f s (by SQL, rolled back at the end): invoices and their journal items on %s; "
            "the peer's policy « %s », %d levels" % (time.perf_counter() - start, receivable.code, policy.name,
                                              len(policy.level_ids)))
        out("%-44s %9s %9s %9s %11s %9s" % ("step", "records", "lines", "seconds", "python cpu", "queries"))

        run = env["essms.dunning.run"].create({"date": today})
        env.flush_all()
        with measured() as rows["ours"]:
            run.action_propose()
            env.flush_all()
        letters = run.letter_ids
        lines = env["essms.dunning.letter.line"].search_count([("letter_id", "in", letters.ids)])
        row = rows["ours"]
        out("%-44s %9d %9d %9.1f %11.1f %9d" % ("(a) ours: proposal (letters, lines)", len(letters), lines,
                                                row["seconds"], row["cpu"], row["queries"]))
        out("    levels: %s; %s" % (levels(env, "essms.dunning.letter", letters.ids, "level_id", "sequence"), load()))
        env.invalidate_all()

        peer_run = env["credit.control.run"].create({"date": today, "policy_ids": [odoo.Command.set(policy.ids)]})
        env.flush_all()
        with measured() as rows["run"]:
            peer_run.generate_credit_lines()
            env.flush_all()
        credit_lines = peer_run.line_ids
        row = rows["run"]
        out("%-44s %9d %9d %9.1f %11.1f %9d" % ("(b) peer: run (credit control lines)", len(credit_lines),
                                                len(credit_lines), row["seconds"], row["cpu"], row["queries"]))
        out("    levels: %s; %s"
            % (levels(env, "credit.control.line", credit_lines.ids, "policy_level_id", "level"), load()))
        env.invalidate_all()

        with measured() as rows["communications"]:
            peer_run.set_to_ready_lines()
            ready = peer_run.line_ids.filtered(lambda line: line.state == "to_be_sent")
            communications = env["credit.control.communication"]._generate_comm_from_credit_lines(ready)
            env.flush_all()
        row = rows["communications"]
        out("%-44s %9d %9d %9.1f %11.1f %9d" % ("(c) peer: lines to be sent, communications", len(communications),
                                                len(ready), row["seconds"], row["cpu"], row["queries"]))
        out("    %s" % load())
        cr.rollback()

    ours = rows["ours"]
    peer = {key: rows["run"][key] + rows["communications"][key] for key in ("seconds", "cpu", "sql", "queries")}
    out()
    out("ours (a): %s" % describe(ours))
    out("peer (b + c): %s" % describe(peer))
    out("peak memory of this process: %.0f MB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    ratio = peer["seconds"] / ours["seconds"]
    out("peer ÷ ours over %d invoices of %d debtors: %.1f× wall, %.1f× Python CPU, %.1f× queries "
        "(target ≥ %.0f× wall) %s; %s" % (
            args.invoices, args.debtors, ratio, peer["cpu"] / max(ours["cpu"], 1e-6),
            peer["queries"] / max(ours["queries"], 1), TARGET, verdict(ratio >= TARGET), load()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
