#!/usr/bin/env python3
"""Benchmark the operator's to-do and the activity import of a 2 000-person month (issue 21).

Usage: bench_desk.py ODOO_CONF [--database essms_bench_desk] [--beneficiaries 2000] [--establishments 10]
                     [--reuse]

Default: drop and recreate DATABASE without demo (`make create-db`), generate the beneficiaries and bill the month
before last as tools/bench.py does; --reuse works on the last month invoiced of an existing database instead
(`make bench` runs it on tools/bench.py's database). Then, each step in its own transaction as a user's click:

- the to-do (*Mes tâches du mois*) opened by an operator whose portfolio holds half of the establishments, then by
  an operator without a portfolio (every establishment): the desk counted (`action_open`) and its cards read as
  the web client reads them. Target: under 1 s each.
- the activity import of the current month: for every establishment a CSV file exported as a care-records system
  does it (one row per absence: file number, name, birth date, kind, first and last day, sometimes the times), one
  or two absences per person staying there, previewed then imported by an operator (every row read, checked and
  written, the month's draft statement computed again). Target: the whole 2 000-person month under 30 s.

Everything this script writes is rolled back: the database is left as it found it. A missed target prints MISSED;
the exit code is 0 unless the bench itself fails.
"""

import base64
import random
import sys
from datetime import date
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import billed_month
from bench_common import load
from bench_common import month_parser
from bench_common import out

from odoo import Command
from odoo.tools import config

DESK_TARGET = 1.0
IMPORT_TARGET = 30.0
KINDS = ["Vacances", "Convenance personnelle", "Week-end en famille", "Hospitalisation", "Autre"]
HEADER = "N° dossier;Nom prénom;Date de naissance;Motif;Du;Au;Heure de départ;Heure de retour\r\n"


def activity_file(stays, month, rng):
    """A care-records export of ``month`` for ``stays``: one or two absences per person, in cp1252."""
    last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    rows = [HEADER]
    for stay in stays:
        beneficiary = stay.beneficiary_id
        first = max(month, stay.date_start)
        end = min(last, stay.date_end or last)
        if (end - first).days < 6:
            continue
        day = first + timedelta(days=rng.randrange(0, (end - first).days // 2))
        for __ in range(rng.choice((1, 1, 2))):
            length = rng.randrange(0, 4)
            if day + timedelta(days=length) > end:
                break
            kind = rng.choice(KINDS)
            times = ("09:00", "17h30") if kind == "Hospitalisation" and length else ("", "")
            rows.append("%s;%s;%s;%s;%s;%s;%s;%s\r\n" % (
                beneficiary.file_number or "", beneficiary.name, beneficiary.birth_date.strftime("%d/%m/%Y")
                if beneficiary.birth_date else "", kind, day.strftime("%d/%m/%Y"),
                (day + timedelta(days=length)).strftime("%d/%m/%Y"), *times,
            ))
            day += timedelta(days=length + 2)
    return "".join(rows).encode("cp1252", errors="replace"), len(rows) - 1


def operator(env, login, establishments):
    user = env["res.users"].with_context(active_test=False).search([("login", "=", login)])
    user.active = True
    if not user:
        user = env["res.users"].with_context(no_reset_password=True).create({
            "name": login, "login": login,
            "groups_id": [Command.set([env.ref("base.group_user").id,
                                       env.ref("essms_billing.group_essms_operator").id])],
        })
    env["essms.establishment"].search([("operator_ids", "in", user.id)]).operator_ids = [Command.unlink(user.id)]
    establishments.operator_ids = [Command.link(user.id)]
    return user


def measure(bench, billed):
    rows = []
    month = date.today().replace(day=1)
    with bench.env() as env:
        establishments = env["essms.establishment"].search([("company_id", "=", env.company.id)])
        mine = establishments[: max(1, len(establishments) // 2)]
        users = {
            "with a portfolio of %d establishments" % len(mine): operator(env, "essms_bench_desk_mine", mine).id,
            "without a portfolio (every establishment)": operator(
                env, "essms_bench_desk_all", env["essms.establishment"]).id,
        }
        # This month's statements, not validated: the to-do has them to count, the import recomputes them.
        created_statements = env["essms.activity.statement"].create([
            {"establishment_id": establishment.id, "period_start": month}
            for establishment in establishments
            if not env["essms.activity.statement"].search_count(
                [("establishment_id", "=", establishment.id), ("period_start", "=", month)])
        ])
        rng = random.Random(21)
        files = []
        for establishment in establishments:
            stays = env["essms.stay"].search([
                ("establishment_id", "=", establishment.id), ("date_start", "<=", month),
                "|", ("date_end", "=", False), ("date_end", ">=", month),
            ])
            content, count = activity_file(stays, month, rng)
            files.append((establishment.id, content, count, len(stays)))
        import_user = users["without a portfolio (every establishment)"]
        created_statements = created_statements.ids
        env.cr.commit()  # pylint: disable=invalid-commit

    try:
        for label, uid in users.items():
            def desk(env, uid=uid):
                desk_model = env["essms.operator.desk"].with_user(uid)
                action = desk_model.action_open()
                record = desk_model.browse(action["res_id"])
                # What the web client reads to draw the cards.
                spec = {name: {} for name in record.line_ids._fields if name.startswith(("statement_", "run_"))}
                record.web_read({"total_waiting": {}, "line_ids": {"fields": {"establishment_id": {}, **spec}}})
                return len(record.line_ids)

            row = bench.timed("to-do %s" % label, lambda count: count, desk, rollback=True)[0]
            rows.append((row, DESK_TARGET))

        def import_month(env):
            persons = absences = created = 0
            for establishment_id, content, count, stays in files:
                wizard = env["essms.activity.import"].with_user(import_user).create({
                    "establishment_id": establishment_id, "period_start": month,
                    "file": base64.b64encode(content), "filename": "activite_%s.csv" % establishment_id,
                })
                wizard.action_preview()
                if wizard.count_refused:
                    raise RuntimeError("refused rows in the bench file: %s" % wizard.line_ids.filtered(
                        lambda line: line.action == "refused")[:3].mapped("message"))
                wizard.action_import()
                persons += stays
                absences += count
                created += wizard.count_create
            return persons, absences, created

        row, (persons, absences, created) = bench.timed(
            "activity import", lambda result: result[0], import_month, rollback=True)
        row["step"] = "activity import of %s: %d persons, %d absences (%d created), %d files" % (
            month.strftime("%m/%Y"), persons, absences, created, len(files))
        rows.append((row, IMPORT_TARGET))
    finally:
        with bench.env() as env:
            env["essms.activity.statement"].browse(created_statements).unlink()
            bench_users = env["res.users"].browse(list(users.values()))
            env["essms.establishment"].search([("operator_ids", "in", bench_users.ids)]).operator_ids = [
                Command.unlink(user.id) for user in bench_users
            ]
            bench_users.active = False

    out()
    out("operator's desk and activity import, %s (billed %s; %s)" % (month.strftime("%m/%Y"), billed.strftime("%m/%Y"),
                                                                      load()))
    out("  %-90s %7s %9s %11s %9s" % ("step", "rows", "seconds", "python cpu", "queries"))
    for row, target in rows:
        out("  %-90s %7d %9.2f %11.2f %9d   target < %.0f s %s" % (
            row["step"][:90], row["count"], row["seconds"], row["cpu"], row["queries"], target,
            "ok" if row["seconds"] < target else "MISSED"))


def main(argv=None):
    parser = month_parser(__doc__, "essms_bench_desk")
    args = parser.parse_args(argv)
    bench, month = billed_month(parser, args, "essms_billing operator's desk and activity import bench")
    config["log_level"] = "warn"
    measure(bench, month)
    return 0


if __name__ == "__main__":
    sys.exit(main())
