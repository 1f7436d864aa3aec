#!/usr/bin/env python3
"""Check that the French translation covers every user-facing string of the addon.

Usage: check_po.py [--committed POT] EXPORTED_POT [PO ...]

EXPORTED_POT is the template Odoo exports from an installed database (`make pot`, `make test`).
Each PO (default i18n/fr.po) must translate every msgid of it, keep its named placeholders, and
carry no fuzzy entry; i18n/essms_billing.pot (or the --committed one) must hold the same msgids as the export.
The code strings of bridges/ and demo_addon/ (addons of their own, with their own i18n/) are left out of
essms_billing's export: Odoo finds them there because those addons live inside this checkout.
"""

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}")


def _key(entry):
    return (entry.msgctxt, entry.msgid)


def _in_bridges(entry):
    return bool(entry.occurrences) and all(
        "/bridges/" in path or "/demo_addon/" in path for path, _line in entry.occurrences
    )


def check(exported_pot, po_paths, committed_pot=None):
    template = polib.pofile(exported_pot)
    wanted = {_key(e): e for e in template if e.msgid and not _in_bridges(e)}
    problems = []

    committed_pot = committed_pot or str(ROOT / "i18n" / "essms_billing.pot")
    committed = polib.pofile(committed_pot)
    committed_keys = {_key(e) for e in committed if e.msgid and not _in_bridges(e)}
    for key in sorted(set(wanted) - committed_keys, key=str):
        problems.append(f"{committed_pot} lacks {key[1]!r}: run `make pot`")
    for key in sorted(committed_keys - set(wanted), key=str):
        problems.append(f"{committed_pot} has an obsolete string {key[1]!r}: run `make pot`")

    for po_path in po_paths:
        po = polib.pofile(po_path)
        translated = {_key(e): e for e in po if e.msgid}
        for key, source in wanted.items():
            entry = translated.get(key)
            where = f"{po_path}: {source.msgid!r}"
            if entry is None or not entry.msgstr.strip():
                problems.append(f"{where} is not translated")
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{where} is marked fuzzy")
            if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr)):
                problems.append(f"{where}: the translation does not keep the placeholders of the source")
    return problems


def main(argv):
    committed_pot = None
    if argv[:1] == ["--committed"]:
        committed_pot, argv = argv[1], argv[2:]
    if not argv:
        sys.exit(__doc__)
    po_paths = argv[1:] or [str(ROOT / "i18n" / "fr.po")]
    problems = check(argv[0], po_paths, committed_pot)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s)", file=sys.stderr)
        return 1
    print(f"translations complete: {', '.join(po_paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
