#!/usr/bin/env python3
"""Benchmark the due-date tracking sheet: the XLSX export of 1 000 000 open receivable items.

Usage: bench_ageing.py ODOO_CONF [--database essms_bench] [--items 1000000] [--payers 2000] [--keep]

In DATABASE (essms_billing installed, e.g. the one `make bench` just billed), insert posted customer invoices
in bulk by SQL (one receivable and one income line each, dated over two years, spread over the payer kinds,
the establishments and the beneficiaries found), a tenth of them partly paid (a payment entry and a partial
reconciliation), commit and analyse; then time what the operator's click does: the export wizard gathers the
open items (one grouped query read through a server-side cursor) and streams the workbook, stored on the wizard
for download. The set-up is not measured. The inserted documents are deleted at the end unless --keep.

Target (issue 20): 1 000 000 items under 60 s with the process's peak memory under 2 GB (issue 4's was 100 000
items under 30 s). The line prints wall time, CPU time, queries and peak memory with ``ok`` or ``MISSED``; the
exit code is 0 unless the benchmark fails.
"""

import argparse
import base64
import io
import re
import sys
import time
import zipfile
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
MEMORY_TARGET = 2048.0  # MB
JOURNAL_CODE = "AGEB"
KINDS = ["departement", "health_insurance", "state", "resident", "family", "guardian", "other"]


def _journal(env):
    journal = env["account.journal"].search([("code", "=", JOURNAL_CODE), ("company_id", "=", env.company.id)])
    return journal or env["account.journal"].create(
        {"name": "Ageing bench", "code": JOURNAL_CODE, "type": "sale", "company_id": env.company.id}
    )


def cleanup(env):
    """Delete what an earlier run inserted (its journal's entries), by SQL like they were made."""
    journal = _journal(env)
    env.cr.execute(
        SQL(
            """
            DELETE FROM account_partial_reconcile part USING account_move_line aml
             WHERE aml.journal_id = %(journal)s AND part.debit_move_id = aml.id;
            DELETE FROM account_move_line WHERE journal_id = %(journal)s;
            DELETE FROM account_move WHERE journal_id = %(journal)s;
            """,
            journal=journal.id,
        )
    )
    env.registry.clear_cache()


def setup(env, items, payer_count):
    """Insert `items` posted invoices (and a partial payment on every tenth) by SQL; return the count."""
    company = env.company
    journal = _journal(env)
    receivable = env["ir.default"]._get("res.partner", "property_account_receivable_id", company_id=company.id)
    receivable = env["account.account"].browse(receivable) if receivable else env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )
    income = journal.default_account_id or env["account.account"].search(
        [("account_type", "=", "income"), ("company_ids", "in", company.id)], limit=1
    )
    payers = env["res.partner"].create([
        {"name": "Payeur bench %05d" % index, "is_company": True, "essms_payer_kind": KINDS[index % len(KINDS)]}
        for index in range(payer_count)
    ])
    establishments = env["essms.establishment"].search([("company_id", "=", company.id)])
    beneficiaries = env["essms.beneficiary"].search([("company_id", "=", company.id)], limit=5000)
    env.flush_all()
    today = date.today()
    params = {
        "items": items,
        "journal": journal.id,
        "company": company.id,
        "currency": company.currency_id.id,
        "receivable": receivable.id,
        "income": income.id,
        "payers": payers.ids,
        "establishments": establishments.ids or [None],
        "beneficiaries": beneficiaries.ids or [None],
        "today": today,
    }
    # Invoices dated over the last two years, due 30 days later, 50 to 5 050 EUR each.
    env.cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_invoice ON COMMIT DROP AS
            SELECT g AS n,
                   (%(payers)s::int[])[1 + mod(g, cardinality(%(payers)s::int[]))] AS partner_id,
                   (%(establishments)s::int[])[1 + mod(g, cardinality(%(establishments)s::int[]))] AS establishment_id,
                   (%(beneficiaries)s::int[])[1 + mod(g * 7, cardinality(%(beneficiaries)s::int[]))] AS beneficiary_id,
                   (%(today)s::date - mod(g::bigint * 7919, 730)::int) AS invoice_date,
                   round((50 + mod(g * 37, 5000) + 0.37)::numeric, 2) AS amount
              FROM generate_series(1, %(items)s) g;

            INSERT INTO account_move (name, journal_id, company_id, currency_id, date, invoice_date,
                                      invoice_date_due, state, move_type, auto_post, partner_id,
                                      commercial_partner_id, amount_untaxed, amount_total, amount_residual,
                                      amount_untaxed_signed, amount_total_signed, amount_residual_signed,
                                      payment_state, essms_establishment_id, essms_beneficiary_id,
                                      create_uid, write_uid, create_date, write_date)
            SELECT 'AGEB/' || n, %(journal)s, %(company)s, %(currency)s, invoice_date, invoice_date,
                   invoice_date + 30, 'posted', 'out_invoice', 'no', partner_id, partner_id, amount, amount,
                   amount, amount, amount, amount, 'not_paid', establishment_id, beneficiary_id, 1, 1,
                   now(), now()
              FROM bench_invoice;

            INSERT INTO account_move_line (move_id, move_name, date, parent_state, journal_id, company_id,
                                           company_currency_id, currency_id, account_id, partner_id,
                                           display_type, name, debit, credit, balance, amount_currency,
                                           amount_residual, amount_residual_currency, reconciled,
                                           date_maturity, quantity, price_unit, create_uid, write_uid,
                                           create_date, write_date)
            SELECT move.id, move.name, move.date, 'posted', move.journal_id, move.company_id, move.currency_id,
                   move.currency_id, line.account_id, move.partner_id, line.display_type, move.name,
                   CASE WHEN line.sign > 0 THEN move.amount_total ELSE 0 END,
                   CASE WHEN line.sign < 0 THEN move.amount_total ELSE 0 END,
                   line.sign * move.amount_total, line.sign * move.amount_total,
                   CASE WHEN line.sign > 0 THEN move.amount_total ELSE 0 END,
                   CASE WHEN line.sign > 0 THEN move.amount_total ELSE 0 END,
                   false, CASE WHEN line.sign > 0 THEN move.invoice_date_due END, 1,
                   CASE WHEN line.sign < 0 THEN move.amount_total END, 1, 1, now(), now()
              FROM account_move move
              CROSS JOIN (VALUES (%(receivable)s, 'payment_term', 1), (%(income)s, 'product', -1))
                   AS line(account_id, display_type, sign)
             WHERE move.journal_id = %(journal)s AND move.move_type = 'out_invoice';
            """,
            **params,
        )
    )
    # A tenth partly paid: a payment entry crediting the receivable by half, matched to the invoice's line.
    env.cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_payment ON COMMIT DROP AS
            SELECT nextval('account_move_id_seq') AS pay_id, line.id AS inv_line_id, line.move_id AS inv_id,
                   line.partner_id, LEAST(line.date + 20, %(today)s::date) AS date,
                   round(line.balance / 2, 2) AS amount
              FROM account_move_line line
             WHERE line.journal_id = %(journal)s AND line.display_type = 'payment_term'
               AND mod(line.move_id, 10) = 0;

            INSERT INTO account_move (id, name, journal_id, company_id, currency_id, date, state, move_type,
                                      auto_post, partner_id, commercial_partner_id, create_uid, write_uid,
                                      create_date, write_date)
            SELECT pay_id, 'AGEB/PAY/' || inv_id, %(journal)s, %(company)s, %(currency)s, date, 'posted', 'entry',
                   'no', partner_id, partner_id, 1, 1, now(), now()
              FROM bench_payment;

            INSERT INTO account_move_line (move_id, move_name, date, parent_state, journal_id, company_id,
                                           company_currency_id, currency_id, account_id, partner_id,
                                           display_type, name, debit, credit, balance, amount_currency,
                                           amount_residual, amount_residual_currency, reconciled,
                                           create_uid, write_uid, create_date, write_date)
            SELECT p.pay_id, 'AGEB/PAY/' || p.inv_id, p.date, 'posted', %(journal)s, %(company)s, %(currency)s,
                   %(currency)s, line.account_id, p.partner_id, 'product', 'Paiement partiel',
                   CASE WHEN line.sign > 0 THEN p.amount ELSE 0 END,
                   CASE WHEN line.sign < 0 THEN p.amount ELSE 0 END,
                   line.sign * p.amount, line.sign * p.amount, 0, 0, line.sign < 0, 1, 1, now(), now()
              FROM bench_payment p
              CROSS JOIN (VALUES (%(receivable)s, -1), (%(income)s, 1)) AS line(account_id, sign);

            INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, debit_amount_currency,
                                                   credit_amount_currency, debit_currency_id, credit_currency_id,
                                                   company_id, max_date, create_uid, write_uid, create_date,
                                                   write_date)
            SELECT p.inv_line_id, credit.id, p.amount, p.amount, p.amount, %(currency)s, %(currency)s,
                   %(company)s, p.date, 1, 1, now(), now()
              FROM bench_payment p
              JOIN account_move_line credit ON credit.move_id = p.pay_id AND credit.balance < 0;

            UPDATE account_move_line aml
               SET amount_residual = aml.balance - p.amount, amount_residual_currency = aml.balance - p.amount
              FROM bench_payment p
             WHERE aml.id = p.inv_line_id;
            """,
            **params,
        )
    )
    env.cr.execute(SQL("SELECT count(*) FROM bench_payment"))
    return env.cr.fetchone()[0]


def export(env):
    """What the operator's click does: the wizard renders the workbook and stores it for download."""
    wizard = env["essms.receivable.ageing.export"].create({"date": date.today()})
    wizard.action_export()
    return base64.b64decode(wizard.file)


def count_rows(content):
    """``(sheets, document rows)`` of the workbook: the rows below the four heading rows of each payer kind's
    sheet, less its total row, counted in the sheets' XML as it is unzipped (openpyxl would take minutes to read a
    million rows)."""
    sheets = rows = 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = sorted((name for name in archive.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", name)),
                       key=lambda name: int(re.search(r"(\d+)", name).group(1)))
        for name in names[1:]:  # the first sheet is the summary
            count, tail = 0, b""
            with archive.open(name) as sheet:
                while chunk := sheet.read(1 << 20):
                    text = tail + chunk
                    count += text.count(b"<row ")
                    tail = text[-4:]
            rows += count - 5
        sheets = len(names)
    return sheets, rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("--database", default="essms_bench")
    parser.add_argument("--items", type=int, default=1000000)
    parser.add_argument("--payers", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the inserted documents")
    args = parser.parse_args(argv)
    config.parse_config(["-c", args.conf, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    out("essms_billing ageing bench: %d open invoices, %d payers, database %s; %s"
        % (args.items, args.payers, args.database, load()))

    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        start = time.perf_counter()
        cleanup(env)
        paid = setup(env, args.items, args.payers)
        cr.commit()  # pylint: disable=invalid-commit
        cr.execute(SQL("ANALYZE account_move, account_move_line, account_partial_reconcile, res_partner"))
        cr.commit()  # pylint: disable=invalid-commit
        out("set-up (not measured): %d invoices, %d partly paid, inserted by SQL in %.1f s"
            % (args.items, paid, time.perf_counter() - start))

    try:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            with measured() as row:
                content = export(env)
            cr.rollback()
        sheets, rows = count_rows(content)
        # The CPU time of this process (the workbook's writing) says what the machine's load hides.
        target("XLSX export of %d items" % args.items, row, TARGET,
               "%d document rows on %d sheets, %.1f MB" % (rows, sheets, len(content) / 1e6),
               memory_limit=MEMORY_TARGET)
    finally:
        if not args.keep:
            with registry.cursor() as cr:
                cleanup(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}))
                cr.commit()  # pylint: disable=invalid-commit
    return 0


if __name__ == "__main__":
    sys.exit(main())
