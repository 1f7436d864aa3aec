#!/usr/bin/env python3
"""Make a database French for its users: fr_FR active, admin in French and in the Paris time zone.

Usage: set_french.py ODOO_CONF DATABASE
"""

import sys

import odoo
from odoo.tools import config


def main(conf, db_name):
    config.parse_config(["-c", conf, "-d", db_name])
    registry = odoo.modules.registry.Registry(db_name)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["res.lang"]._activate_lang("fr_FR")
        env.ref("base.user_admin").write({"lang": "fr_FR", "tz": "Europe/Paris"})
        env.ref("base.partner_admin").write({"lang": "fr_FR"})
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
