"""Every rule the code cites (``billing-rules §N``, ``recovery-rules §N``) is a section of the project's rule
reference under ``doc/``, and every engine module is on the README's map (issue 15, point 7). No database."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"\b(billing|recovery)-rules §(\d+)(?:\.(\d+))?")
SOURCES = ("engine", "models", "wizards", "reports", "data", "views", "tests", "demo_addon")


def sections(name):
    """``{section number: set of its numbered items}`` of doc/<name>-rules.md."""
    found = {}
    current = None
    for line in (ROOT / "doc" / ("%s-rules.md" % name)).read_text().splitlines():
        heading = re.match(r"## (\d+)\. ", line)
        if heading:
            current = int(heading.group(1))
            found[current] = set()
        item = re.match(r"(\d+)\. ", line)
        if item and current is not None:
            found[current].add(int(item.group(1)))
    return found


def test_every_citation_is_a_section_of_the_reference():
    reference = {"billing": sections("billing"), "recovery": sections("recovery")}
    missing = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".xml") or not path.is_file():
                continue
            for book, section, item in CITATION.findall(path.read_text(encoding="utf-8")):
                items = reference[book].get(int(section))
                if items is None or (item and int(item) not in items):
                    missing.append("%s: %s-rules §%s%s" % (path.relative_to(ROOT), book, section,
                                                           ".%s" % item if item else ""))
    assert not missing, missing


def test_every_engine_module_is_on_the_map():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Where the rules live")
    rules_map = readme[start:readme.index("\n## ", start + 1)]
    helpers = {"__init__", "money", "dates", "messages", "parameters", "exports"}
    modules = {path.stem for path in (ROOT / "engine").glob("*.py")} - helpers
    assert not {module for module in modules if "engine/%s.py" % module not in rules_map}
