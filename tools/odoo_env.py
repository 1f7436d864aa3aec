#!/usr/bin/env python3
"""Locate Odoo 18.0 and write the Odoo configuration the Makefile uses.

  odoo_env.py check              exit 1 with instructions when Odoo 18.0 is not importable
  odoo_env.py config OUT ADDONS  write an odoo.conf whose addons path starts with ADDONS
"""

import os
import sys
from pathlib import Path

HELP = """\
Odoo 18.0 is not importable by {python}.

essms_billing is an Odoo 18.0 addon: install Odoo 18.0 Community first, for example from a source tree
(see README.md, "Installing Odoo 18.0"):

    git clone --depth 1 --branch 18.0 <odoo-18.0-source> /opt/odoo-src
    pip install "setuptools<70" setuptools_scm wheel
    pip install --no-build-isolation cbor2==5.4.2
    pip install -r /opt/odoo-src/requirements.txt
    pip install --no-build-isolation --no-deps -e /opt/odoo-src

or with Odoo's Debian/Ubuntu packages (nightly 18.0), then run make again.
If Odoo is importable but its addons live elsewhere, set ODOO_ADDONS_PATH.
"""


def odoo_addons_paths():
    """The directories holding Odoo's standard addons (base, account, l10n_fr_account…)."""
    import odoo

    root = Path(odoo.__file__).resolve().parent
    candidates = [root / "addons", root.parent / "addons"]
    extra = os.environ.get("ODOO_ADDONS_PATH")
    if extra:
        candidates = [Path(p) for p in extra.split(",")] + candidates
    return [str(p) for p in candidates if p.is_dir() and any((p / m).is_dir() for m in ("base", "account"))]


def check():
    try:
        import odoo.release
    except ImportError:
        sys.stderr.write(HELP.format(python=sys.executable))
        return 1
    if odoo.release.version_info[:2] != (18, 0):
        sys.stderr.write(
            "Odoo %s is installed, essms_billing needs Odoo 18.0.\n\n" % odoo.release.version
            + HELP.format(python=sys.executable)
        )
        return 1
    paths = odoo_addons_paths()
    missing = [m for m in ("account", "l10n_fr_account", "l10n_fr_facturx_chorus_pro")
               if not any(Path(p, m).is_dir() for p in paths)]
    if missing:
        sys.stderr.write(
            "Odoo 18.0 is importable, but its addons %s were not found in %s.\n"
            "Set ODOO_ADDONS_PATH to the directory of Odoo's addons.\n" % (", ".join(missing), paths)
        )
        return 1
    return 0


def config(out, addons):
    build = Path(out).resolve().parent
    paths = [str(Path(addons).resolve()), *odoo_addons_paths()]
    Path(out).write_text(
        "[options]\n"
        f"addons_path = {','.join(paths)}\n"
        f"data_dir = {build / 'data'}\n"
        "admin_passwd = admin\n"
        f"db_host = {os.environ.get('PGHOST', 'False')}\n"
        f"db_port = {os.environ.get('PGPORT', 'False')}\n"
        f"db_user = {os.environ.get('PGUSER', 'False')}\n"
        "db_password = False\n"
        f"http_port = {os.environ.get('HTTP_PORT', '8069')}\n"
        "list_db = True\n"
        "log_level = warn\n"
        "max_cron_threads = 1\n"
    )
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["check"]:
        sys.exit(check())
    if sys.argv[1:2] == ["config"] and len(sys.argv) == 4:
        sys.exit(config(sys.argv[2], sys.argv[3]))
    sys.exit(__doc__)
