#!/usr/bin/env python3
"""Fill a database with N generated beneficiaries for the benchmarks, and say how long it took.

Usage: generate_beneficiaries.py ODOO_CONF DATABASE N [--establishments E] [--seed S]

The data go into the database's main company, made the demo association first if it is not yet: about ten
establishments (E), their payers, agreements and tariffs, N residents with stays, funding decisions and a
year of absences (demo_addon/essms_billing_demo/models/essms_demo_generator.py: the database needs the demo
addon, e.g. `make create-db DB=name MODULES=essms_billing,essms_billing_demo`). Run it again to add N more.
"""

import argparse
import sys
import time

import odoo
from odoo.tools import config


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("conf", help="Odoo configuration file")
    parser.add_argument("database")
    parser.add_argument("n", type=int, help="number of beneficiaries")
    parser.add_argument("--establishments", type=int, default=10, help="number of establishments (default 10)")
    parser.add_argument("--seed", type=int, default=66)
    args = parser.parse_args(argv)
    if args.n < 1 or args.establishments < 1:
        parser.error("N and the number of establishments must be positive")

    config.parse_config(["-c", args.conf, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "essms.demo.generator" not in env:
            sys.exit("%s has no essms_billing_demo: install it (make create-db DB=%s "
                     "MODULES=essms_billing,essms_billing_demo)" % (args.database, args.database))
        generator = env["essms.demo.generator"]
        company = env.ref("base.main_company")
        if not company.siret:
            generator._setup_company(company)
        start = time.perf_counter()
        queries = cr.sql_log_count
        summary = generator.generate(args.n, n_establishments=args.establishments, seed=args.seed, company=company)
        env.flush_all()
        elapsed = time.perf_counter() - start
        queries = cr.sql_log_count - queries
    # The cursor's context manager has committed.
    width = max(len(key) for key in summary)
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join("%s %s" % (count, name) for name, count in sorted(value.items()))
        sys.stdout.write("%-*s  %s\n" % (width, key, value))
    sys.stdout.write(
        "%-*s  %.2f s for %d beneficiaries (%.1f ms each), %d SQL queries\n"
        % (width, "time", elapsed, args.n, 1000 * elapsed / args.n, queries)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
