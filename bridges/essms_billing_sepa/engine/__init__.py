"""The bridge's rules, plain Python (no Odoo import): which invoices go into which debit order."""
