"""Functional core of essms_billing: the billing rules as plain Python, with no Odoo import.

Each module encodes one part of ``doc/billing-rules.md`` or ``doc/recovery-rules.md`` (the project's rule
reference, which the citations ``billing-rules §N`` and ``recovery-rules §N`` point to) and takes every rule
value (thresholds, quotas, legal amounts) as input: the Odoo models read them from policies and dated
parameters, call the engine once per batch and write its results back. The README's "Where the rules live"
maps each rule to its module, the model that feeds it and its tests.
"""
