"""Printed documents as a person gets them: rendered for real by wkhtmltopdf, through the print button's route.

Under test, Odoo renders reports as HTML unless the context has ``force_report_rendering``: tests that read the
HTML never run wkhtmltopdf, and Debian's wkhtmltopdf returns an empty PDF when one call holds several documents.
Every test of a printed document goes through ``PdfMixin``: a real PDF, non-empty, on A4, and its text.
"""

import io
import os
import re
import subprocess

from odoo.tools.pdf import OdooPdfFileReader
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time

# A4 in PostScript points (210 by 297 mm), as wkhtmltopdf writes the MediaBox.
A4_PORTRAIT = (595, 842)
A4_LANDSCAPE = (842, 595)


class PdfMixin:
    """Helpers for a test case: ``self.env`` is the environment of the user who clicks Print."""

    def render_print_action(self, action, user=None):
        """What the browser downloads for the report action a print button returns: the web client calls
        ``/report/download`` with the action's records but, when the action has no ``data``, the user's context
        only (not the action's); the route renders the PDF and names the file from ``print_report_name``.
        Returns the PDF's bytes and the file name. ``user``: who clicks (else the test's user)."""
        self.assertEqual(action.get("type"), "ir.actions.report", "the button prints a report")
        env = self.env(user=user) if user else self.env
        extra = {"force_report_rendering": True}
        if action.get("data"):
            extra.update(action.get("context") or {})
        docids = (action.get("context") or {}).get("active_ids")
        report = env["ir.actions.report"].with_context(**extra)
        content, report_type = report._render_qweb_pdf(action["report_name"], docids, data=action.get("data"))
        self.assertEqual(report_type, "pdf")
        report_sudo = report._get_report_from_name(action["report_name"])
        filename = "%s.pdf" % report_sudo.name
        records = env[report_sudo.model].browse(docids or [])
        if report_sudo.print_report_name and len(records) == 1:
            filename = "%s.pdf" % safe_eval(report_sudo.print_report_name, {"object": records, "time": time})
        return content, filename

    def render_report(self, report_ref, records, **context):
        """The report rendered by wkhtmltopdf, as a job or a button that calls the report method does."""
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True, **context)
        content, report_type = report._render_qweb_pdf(report_ref, records.ids)
        self.assertEqual(report_type, "pdf")
        return content

    def assert_pdf(self, content, landscape=False, pages=None):
        """A real PDF, every page A4 (portrait, or landscape for the statement); returns its text."""
        self.assertTrue(content, "the PDF is empty")
        self.assertTrue(content.startswith(b"%PDF"), "not a PDF")
        reader = OdooPdfFileReader(io.BytesIO(content), strict=False)
        sizes = {
            (round(float(page.mediaBox.getWidth())), round(float(page.mediaBox.getHeight())))
            for page in reader.pages
        }
        self.assertEqual(sizes, {A4_LANDSCAPE if landscape else A4_PORTRAIT}, "every page is A4")
        if pages is not None:
            self.assertEqual(len(reader.pages), pages)
        return pdf_text(content)

    def keep_pdf(self, name, content):
        """Keep the PDF to look at it (``ESSMS_KEEP_PDF=/some/dir``)."""
        folder = os.environ.get("ESSMS_KEEP_PDF")
        if folder:
            with open(os.path.join(folder, name), "wb") as file:
                file.write(content)


def pdf_text(content, layout=False):
    """The PDF's text as pdftotext reads it, spaces made plain and runs of spaces made one (``layout`` keeps the
    columns, one line of the page per line)."""
    command = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    text = subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode()
    for space in ("\N{NO-BREAK SPACE}", "\N{NARROW NO-BREAK SPACE}"):
        text = text.replace(space, " ")
    # Odoo puts a zero-width space after a minus sign, and pdftotext keeps it.
    text = text.replace("\ufeff", "").replace("\u200b", "")
    if layout:
        return text
    return re.sub(r"\s+", " ", text)


def pdf_pages_text(content):
    """The text of each page, ``\\f`` being pdftotext's page break."""
    return [re.sub(r"\s+", " ", page) for page in pdf_text(content, layout=True).split("\f")]


def pdf_words(content):
    """The words of the PDF with their place: (page number from 1, word, x min, x max, page width)."""
    html = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True,
                          check=True).stdout.decode()
    words = []
    for number, page in enumerate(re.findall(r"<page (.*?)</page>", html, flags=re.S), start=1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        for x_min, x_max, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                                             r"(.*?)</word>", page):
            words.append((number, word.replace("&amp;", "&"), float(x_min), float(x_max), width))
    return words


def quantity_price_rows(content):
    """The rows of a printed table that end with a quantity, a unit price and an amount, as the reader sees them:
    [(line, quantity, unit price, amount)]. Columns are told apart by two spaces or more in pdftotext's layout; a
    currency sign before or after a number is dropped; "4 140,00" is four thousand one hundred and forty."""
    rows = []
    for line in pdf_text(content, layout=True).splitlines():
        fields = re.split(r"\s{2,}", line.replace("$", " ").replace("€", " ").strip())
        if len(fields) < 3:
            continue
        numbers = [_number(field) for field in fields[-3:]]
        if None in numbers or not re.fullmatch(r"-?[\d ]+,\d{2}", fields[-1].strip()):
            continue
        rows.append((line.strip(), *numbers))
    return rows


def _number(text):
    text = text.strip()
    if not re.fullmatch(r"-?\d{1,3}(?: \d{3})*(?:,\d+)?", text):
        return None
    return float(text.replace(" ", "").replace(",", "."))
