"""Functional core of essms_billing: the billing rules as plain Python, with no Odoo import.

Each module encodes one part of ``domain/billing-rules.md`` and takes every rule value (thresholds,
quotas, legal amounts) as input: the Odoo models read them from policies and dated parameters, call
the engine once per batch and write its results back.
"""
