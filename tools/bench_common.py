"""What the bench scripts of tools/ share: printing, the machine's load, and measuring a step.

On a shared machine the wall time says little on its own: ``measured`` also gives the CPU time of this (the
Odoo) process, the number of queries and the time spent waiting for them (PostgreSQL's work plus the round
trips), so that what the load hides can be told apart.
"""

import argparse
import os
import resource
import sys
import threading
import time
from contextlib import contextmanager
from datetime import date

from dateutil.relativedelta import relativedelta


def out(text=""):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def load():
    one, five, fifteen = os.getloadavg()
    return "load average %.2f, %.2f, %.2f on %s cores" % (one, five, fifteen, os.cpu_count())


def verdict(ok):
    return "ok" if ok else "MISSED"


def peak_memory():
    """The peak resident memory of this (the Odoo) process so far, in MB (``ru_maxrss`` is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def target(label, row, limit, detail="", memory_limit=None):
    """One bench's line: ``label: <describe(row)>[, detail]  (target < N s[, peak < M MB]) ok|MISSED; load``.
    ``memory_limit`` (MB) also holds the step against the process's peak memory."""
    ok = row["seconds"] < limit and (memory_limit is None or row["peak"] < memory_limit)
    goal = "< %.0f s" % limit + ("" if memory_limit is None else ", peak memory < %.0f MB" % memory_limit)
    out("%s: %s%s  (target %s) %s; %s" % (label, describe(row), (", " + detail) if detail else "", goal,
                                         verdict(ok), load()))
    return ok


@contextmanager
def measured(cr=None):
    """Measure the block: yields a dict filled on exit with ``seconds`` (wall), ``cpu`` (this process),
    ``queries``, ``sql`` (seconds spent in the queries, as Odoo's cursor counts them for the thread) and ``peak``
    (the process's peak resident memory in MB at the end of the block: ``peak_memory``, which includes what came
    before; ``peak_before`` says how much that was)."""
    thread = threading.current_thread()
    thread.query_count, thread.query_time = 0, 0.0
    row = {"peak_before": peak_memory()}
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield row
    finally:
        row.update(
            seconds=time.perf_counter() - start,
            cpu=time.process_time() - cpu,
            queries=thread.query_count,
            sql=thread.query_time,
            peak=peak_memory(),
        )
        del thread.query_count, thread.query_time


def describe(row):
    """``12.3 s wall, 8.1 s Python CPU, 4.0 s in 788 queries, peak memory 310 MB``."""
    text = "%.1f s wall, %.1f s Python CPU, %.1f s in %d queries" % (
        row["seconds"], row["cpu"], row["sql"], row["queries"]
    )
    if "peak" in row:
        text += ", peak memory %.0f MB" % row["peak"]
    return text


# A billed month (tools/bench_portal.py, tools/bench_reciprocity.py) ------------------------------------------


def month_parser(doc, database):
    """The command line of a bench timed on a billed month: its own database, or ``--reuse`` of tools/bench.py's."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("--database", default=database)
    parser.add_argument("--beneficiaries", type=int, default=2000)
    parser.add_argument("--establishments", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="time the last month invoiced in DATABASE")
    return parser


def billed_month(parser, args, title):
    """``(bench, month)``: the last month invoiced in DATABASE with ``--reuse``; else DATABASE dropped and
    recreated without demo, the beneficiaries generated as tools/bench.py does and the month before last billed
    (statements, compute, invoicing), then vacuumed and analysed."""
    from bench import Bench
    from bench import create_database

    from odoo.tools import config

    if not args.database.startswith("essms_bench"):
        parser.error("the bench database is dropped and recreated: its name must start with essms_bench")
    out("%s: database %s; %s" % (title, args.database, load()))
    if not args.reuse:
        out("creating database %s: %.0f s" % (args.database, create_database(args.database)))
    config.parse_config(["-c", args.conf, "-d", args.database, "--log-level=warn"])
    bench = Bench(args.database)
    if args.reuse:
        month = bench.last_month_billed()
        if not month:
            parser.error("--reuse: no month invoiced in %s" % args.database)
        return bench, month
    date_ref = date.today().replace(day=1)
    month = date_ref - relativedelta(months=2)
    row, summary = bench.generate(args.beneficiaries, args.establishments, date_ref)
    out("generated in %.1f s: %s beneficiaries, %s stays" % (row["seconds"], summary["beneficiaries"],
                                                             summary["stays"]))
    bill(bench, month)
    bench.vacuum(analyze=True)
    return bench, month


def bill(bench, month):
    """Bill ``month`` of every establishment: activity statements validated, a run computed and invoiced."""
    from odoo import Command

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
        run._invoice_at_once()  # in this transaction, as before the job runners
        return len(run.move_ids)

    row, _count = bench.timed("run compute + invoicing", lambda count: count, compute_and_invoice)
    out("  %-40s %7.1f s (%s invoices)" % (row["step"], row["seconds"], row["count"]))


def print_rows(month, rows, target):
    """The table of a billed month's steps, each against ``target`` seconds."""
    out()
    out("month %s (%s)" % (month.strftime("%Y-%m"), load()))
    out("  %-70s %7s %9s %11s %9s" % ("step", "rows", "seconds", "python cpu", "queries"))
    for row in rows:
        out("  %-70s %7d %9.2f %11.2f %9d   %s" % (row["step"][:70], row["count"], row["seconds"], row["cpu"],
                                                row["queries"], verdict(row["seconds"] < target)))
