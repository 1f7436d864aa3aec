#!/usr/bin/env python3
"""Benchmark a run's invoicing by Odoo's job runners: one job process against two, on the same month.

Usage: bench_workers.py ODOO_CONF [--database essms_bench_workers] [--beneficiaries 20000]
                        [--establishments N/200] [--reference 2000] [--runners 1,2] [--part-size N] [--keep]
                        [--no-create] [--log-level warn] [--log-runners]

For each size (``--reference`` first when it is smaller, then ``--beneficiaries``): a database copied
(``createdb -T``) from a fresh install without demo (``make create-db``, once), the beneficiaries generated as
tools/bench.py does (models/essms_demo_generator.py), the month before last's activity statements (create,
submit, validate) and the billing run's compute, each timed in its own transaction. Then the computed month is
copied once per runner count, with its filestore, and on each copy K real Odoo servers are started
(``python3 -m odoo --workers=0 --max-cron-threads=1`` each: K job runners in K processes, as K servers on one
PostgreSQL; prefork's ``--workers`` would also start its websocket process, which needs gevent's full set of
packages) and, once their job threads listen for the wake-ups (a server answers HTTP before it has loaded its
registry and started them: a click before would wake nobody, and the threads would first poll a minute later), the
run's *Create invoices* is clicked (the parts are queued, the job runners woken up); the time is taken from that
commit to the run closed by the runners. The servers' other crons, all due in a fresh copy, are postponed to the
next day first: they would run in the job threads at the click, shared by two threads but not by one.
``--log-runners`` logs each wake-up of the job threads, each cron call and each part (runner, process, seconds,
CPU) in /tmp/DATABASE_SIZE_rK.log. After, counted in the database:
invoices expected (the run's invoice keys), created, duplicates (same run kind, payer, beneficiary, establishment
and month), lines left without invoice.

Prints the steps of each size with the load average, the speed-up of K runners against one (target >= 1.7 on
two cores, meaningful on an idle machine only), and whether the month is linear: seconds per beneficiary of the
larger size against the reference's (within 1.3x). The exit code is 0 unless the bench cannot run or counts a
duplicate or a missing invoice.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import Bench
from bench import create_database
from bench_common import load
from bench_common import out
from bench_common import verdict

import odoo
from odoo.tools import config

ROOT = Path(__file__).resolve().parent.parent
SPEEDUP_TARGET = 1.7
LINEAR_TOLERANCE = 1.3
SERVER_START_TIMEOUT = 600
INVOICING_TIMEOUT = 4 * 3600
RUNNER_LOGGERS = (
    ("odoo.modules.registry", "INFO"),
    ("odoo.service.server", "DEBUG"),
    ("odoo.addons.base.models.ir_cron", "INFO"),
    ("odoo.addons.essms_billing.models.essms_job_chunk", "INFO"),
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(database, query):
    result = subprocess.run(["psql", "-X", "-A", "-t", "-d", database, "-c", query],
                            check=True, capture_output=True, text=True)
    return result.stdout.strip()


def release(database):
    """Close this process's connections to ``database``: ``createdb -T`` needs none."""
    odoo.modules.registry.Registry.delete(database)
    odoo.sql_db.close_db(database)


def copy_database(source, target):
    release(source)
    subprocess.run(["dropdb", "--if-exists", target], check=True)
    subprocess.run(["createdb", "-T", source, target], check=True)
    filestore = Path(config.filestore(source))
    if filestore.exists():
        shutil.rmtree(config.filestore(target), ignore_errors=True)
        shutil.copytree(filestore, config.filestore(target))


def drop_database(database):
    release(database)
    subprocess.run(["dropdb", "--if-exists", database], check=True)
    shutil.rmtree(config.filestore(database), ignore_errors=True)


class Server:
    """A real Odoo server on one database with one job runner: ``--workers=0 --max-cron-threads=1``, a process of
    its own. Several of them on the same database are the several servers of the README (each could be on its own
    machine); one process each, so that their runners use several cores (threads of one process share one)."""

    def __init__(self, conf, database, logfile, log_level="warn", log_runners=False):
        self.port = free_port()
        command = [
            sys.executable, "-m", "odoo", "server", "-c", conf, "-d", database, "--db-filter=^%s$" % database,
            "--workers=0", "--max-cron-threads=1", "--http-port=%d" % self.port, "--logfile=%s" % logfile,
            "--log-level=%s" % log_level, "--limit-time-real-cron=600",
        ]
        if log_runners:
            # Each wake-up of the job thread, each cron call and each part: who took it, when, how long.
            command += ["--log-handler=%s:%s" % (logger, level) for logger, level in RUNNER_LOGGERS]
        self.process = subprocess.Popen(command, start_new_session=True)

    def wait_ready(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the Odoo server stopped at start (exit code %s)" % self.process.returncode)
            if self.listening():
                return
            time.sleep(0.5)
        raise RuntimeError("the Odoo server's job thread did not listen within %s s" % SERVER_START_TIMEOUT)

    def listening(self):
        """Whether the server's job thread listens for the wake-ups. The server answers HTTP before it has loaded
        its database's registry; its job thread starts after, connects to the ``postgres`` database and LISTENs on
        ``cron_trigger`` (committed: the connection's last query is a COMMIT). A click before that wakes nobody:
        the thread first polls a minute later (``SLEEP_INTERVAL``), which the bench would time as the runner's."""
        return psql("postgres", """
            SELECT count(*) FROM pg_stat_activity
             WHERE datname = 'postgres' AND application_name = 'odoo-%d' AND query = 'COMMIT'
        """ % self.process.pid) != "0"

    def cpu(self):
        """The CPU seconds (user and system) of the server's process so far: its job thread's work, mostly."""
        fields_ = Path("/proc/%d/stat" % self.process.pid).read_text().rsplit(")", 1)[1].split()
        return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def prepare_month(args, base, size, establishments, month, date_ref):
    """The computed month of ``size`` beneficiaries in its own database: ``(database, run id, rows)``."""
    database = "%s_%d" % (args.database, size)
    copy_database(base, database)
    bench = Bench(database)
    row, summary = bench.generate(size, establishments, date_ref)
    out("  generated in %.1f s: %s beneficiaries, %s stays, %s establishments" % (
        row["seconds"], summary["beneficiaries"], summary["stays"], establishments))
    bench.vacuum(analyze=True)
    rows = []

    def statements(env):
        records = env["essms.activity.statement"].create([
            {"establishment_id": establishment.id, "period_start": month}
            for establishment in env["essms.establishment"].search([("company_id", "=", env.company.id)])
        ])
        records.action_submit()
        (records - records.filtered("blocking_count")).action_validate()
        run = env["essms.billing.run"].create({
            "period_start": month, "establishment_ids": [odoo.Command.set(records.establishment_id.ids)],
        })
        return run.id, len(records.line_ids)

    row, (run_id, _count) = bench.timed("activity statements", lambda result: result[1], statements)
    rows.append(row)

    def compute(env):
        run = env["essms.billing.run"].browse(run_id)
        run.action_compute()
        return len(run._get_lines_to_bill().grouped(run._invoice_key))

    row, invoices = bench.timed("run compute", lambda count: count, compute)
    rows.append(row)
    for row in rows:
        out("  %-28s %8d rows %8.1f s wall %8.1f s Python CPU  (%s)" % (
            row["step"], row["count"], row["seconds"], row["cpu"], load()))
    bench.vacuum(analyze=True)
    return database, run_id, invoices, rows


def invoice_with_runners(args, database, run_id, runners, invoices):
    """Start ``runners`` servers of one job runner each on ``database``, click *Create invoices*, wait for the run
    to be closed by the runners: ``(seconds, load at the end, counts)``."""
    logfile = "/tmp/%s.log" % database
    Path(logfile).unlink(missing_ok=True)
    servers = [Server(args.conf, database, logfile, args.log_level, args.log_runners) for _index in range(runners)]
    # Not the runners' work: the server's other crons (Odoo's, the addon's daily ones) are all due in a fresh copy and
    # would run in the job threads at the click, shared between two threads but not with one; they are postponed to
    # tomorrow. The PDFs (statements of invoices made per payer) are rendered with a bench server's assets.
    psql(database, """
        UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') + interval '1 day'
         WHERE id NOT IN (SELECT res_id FROM ir_model_data WHERE model = 'ir.cron' AND module = 'essms_billing'
                                                             AND name LIKE 'ir_cron_essms_job_runner_%%');
        UPDATE ir_config_parameter SET value = 'http://127.0.0.1:%d' WHERE key = 'web.base.url'
    """ % servers[0].port)
    try:
        for server in servers:
            server.wait_ready()
        registry = odoo.modules.registry.Registry(database)
        from odoo.addons.essms_billing.models import essms_billing_run

        # Parts as the button makes them (50 invoices); a small month in 8 parts at least, to keep both runners busy.
        essms_billing_run.INVOICE_QUEUE_THRESHOLD = 0
        essms_billing_run.INVOICE_CHUNK_SIZE = args.part_size or max(10, min(50, invoices // 8))
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            run = env["essms.billing.run"].browse(run_id)
            run.action_invoice()
            if not run.invoicing_queued:
                raise RuntimeError("the run was invoiced in the click: too small for the job runners")
            parts = len(run.chunk_ids)
            cpu = sum(server.cpu() for server in servers)
            cr.commit()  # pylint: disable=invalid-commit  # the click ends: the runners are woken up
            start = time.perf_counter()
        release(database)
        deadline = time.monotonic() + INVOICING_TIMEOUT
        while psql(database, "SELECT invoicing_queued FROM essms_billing_run WHERE id = %d" % run_id) == "t":
            if time.monotonic() > deadline or not all(server.alive() for server in servers):
                raise RuntimeError("the runners did not finish (see %s)" % logfile)
            time.sleep(0.5)
        seconds = time.perf_counter() - start
        cpu = sum(server.cpu() for server in servers) - cpu
        end_load = load()
    finally:
        for server in servers:
            server.stop()
    counts = {
        "cpu": cpu,
        "parts": parts,
        "invoices": int(psql(database, "SELECT count(*) FROM account_move WHERE essms_run_id = %d" % run_id)),
        "duplicates": int(psql(database, """
            SELECT count(*) - count(DISTINCT (essms_run_kind, partner_id, essms_beneficiary_id,
                                              essms_establishment_id, essms_period_start))
              FROM account_move WHERE essms_run_id = %d AND state = 'posted'""" % run_id)),
        "missing": int(psql(database, """
            SELECT count(*) FROM essms_billing_line
             WHERE run_id = %d AND move_id IS NULL AND NOT blocked AND amount != 0""" % run_id)),
        "failed": int(psql(database, "SELECT count(*) FROM essms_job_chunk WHERE billing_run_id = %d "
                                     "AND job = 'invoice' AND state != 'done'" % run_id)),
        "state": psql(database, "SELECT state FROM essms_billing_run WHERE id = %d" % run_id),
    }
    return seconds, end_load, counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("--database", default="essms_bench_workers")
    parser.add_argument("--beneficiaries", type=int, default=20000)
    parser.add_argument("--establishments", type=int, help="default: one per 200 beneficiaries")
    parser.add_argument("--reference", type=int, default=2000,
                        help="a smaller month timed first, to tell whether the month is linear (0: none)")
    parser.add_argument("--runners", default="1,2", help="job process counts compared, the first is the baseline")
    parser.add_argument("--part-size", type=int, default=0,
                        help="invoices per part (default: 50, or an eighth of a smaller month, 10 at least)")
    parser.add_argument("--log-level", default="warn", help="the servers' --log-level (default: warn)")
    parser.add_argument("--log-runners", action="store_true",
                        help="log each wake-up of the job threads, each cron call and each part (who, when, how "
                             "long) in /tmp/DATABASE_N_rK.log")
    parser.add_argument("--keep", action="store_true", help="keep the databases (default: dropped at the end)")
    parser.add_argument("--no-create", action="store_true",
                        help="reuse DATABASE_base, a fresh install kept by an earlier --keep (default: recreated)")
    args = parser.parse_args(argv)
    if not args.database.startswith("essms_bench"):
        parser.error("the bench databases are dropped and recreated: the name must start with essms_bench")
    runner_counts = [int(count) for count in args.runners.split(",")]
    sizes = [args.beneficiaries]
    if args.reference and args.reference < args.beneficiaries:
        sizes.insert(0, args.reference)
    date_ref = date.today().replace(day=1)
    month = date_ref - relativedelta(months=2)
    out("essms_billing job runners bench: %s beneficiaries, runners %s, month %s; %s" % (
        " then ".join(str(size) for size in sizes), args.runners, month.strftime("%Y-%m"), load()))

    base = "%s_base" % args.database
    if not args.no_create:
        out("creating database %s: %.0f s" % (base, create_database(base)))
    config.parse_config(["-c", args.conf, "-d", base, "--log-level=warn"])
    results = {}
    failed = False
    created = [base]
    for size in sizes:
        establishments = args.establishments or max(2, size // 200)
        out()
        out("%d beneficiaries in %d establishments" % (size, establishments))
        database, run_id, invoices, rows = prepare_month(args, base, size, establishments, month, date_ref)
        created.append(database)
        timings, cpus = {}, {}
        for runners in runner_counts:
            copy = "%s_r%d" % (database, runners)
            copy_database(database, copy)
            created.append(copy)
            seconds, end_load, counts = invoice_with_runners(args, copy, run_id, runners, invoices)
            timings[runners] = seconds
            cpus[runners] = counts["cpu"]
            bad = counts["duplicates"] or counts["missing"] or counts["invoices"] != invoices
            failed = failed or bool(bad)
            out("  invoicing by %d job runner(s): %8.1f s (%.1f ms per invoice), servers' CPU %.1f s (%.1f ms per "
                "invoice)  %d invoices of %d expected in %d parts, %d duplicates, %d missing, %d parts not done, run "
                "%s  (%s)  %s" % (
                    runners, seconds, 1000 * seconds / max(invoices, 1), counts["cpu"],
                    1000 * counts["cpu"] / max(invoices, 1), counts["invoices"], invoices, counts["parts"],
                    counts["duplicates"], counts["missing"], counts["failed"], counts["state"], end_load,
                    "MISSED" if bad else "ok"))
        baseline = timings[runner_counts[0]]
        for runners in runner_counts[1:]:
            speedup = baseline / timings[runners]
            out("  speed-up %d runners / %d: %.3fx (target >= %.1fx on 2 cores, idle machine)  %s" % (
                runners, runner_counts[0], speedup, SPEEDUP_TARGET, verdict(speedup >= SPEEDUP_TARGET)))
        results[size] = {row["step"]: row["seconds"] for row in rows}
        for runners in runner_counts:
            results[size]["invoicing (%d runners)" % runners] = timings[runners]
            results[size]["its servers' CPU (%d runners)" % runners] = cpus[runners]

    if len(sizes) == 2:
        small, large = sizes
        out()
        out("linear? seconds per beneficiary, %d against %d (within %.1fx)  (%s)" % (large, small, LINEAR_TOLERANCE,
                                                                                    load()))
        for step, seconds in results[large].items():
            ratio = (seconds / large) / (results[small][step] / small) if results[small][step] else 0.0
            out("  %-32s %8.1f s for %d, %8.1f s for %d: %.2fx per beneficiary  %s" % (
                step, seconds, large, results[small][step], small, ratio, verdict(ratio <= LINEAR_TOLERANCE)))
    if not args.keep:
        for database in created:
            drop_database(database)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
