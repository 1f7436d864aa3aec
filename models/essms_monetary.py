from weakref import WeakKeyDictionary

from odoo import fields
from odoo.tools import float_repr
from odoo.tools import float_round

# {cursor: {(parent model, parent id): (currency, rounding, decimal places)}}: a run's currency is its company's,
# which does not change while its lines are created; forgotten with the cursor.
_CURRENCIES = WeakKeyDictionary()


class ChildMonetary(fields.Monetary):
    """A monetary field of a record created by the thousand under a parent that gives its currency (a billing
    run's lines, a line's detail rows): the same values as Odoo's monetary field, rounded by the same currency.

    Odoo's field finds the currency of a related ``currency_id`` (``run_id.currency_id``) by building a new record
    for every value inserted, then by computing the related field on each record put in the cache, which cost a
    billing run's compute half of its time; this one reads the currency on the parent record (given in the values,
    or already in the cache), which the cache holds after the first line."""

    def _parent_currency(self, record, parent_id):
        currency_field = record._fields[self.get_currency_field(record)]
        parent_name, __, path = (currency_field.related or "").partition(".")
        if not path or "." in path:
            return None
        if parent_id is None:
            if len(record) != 1 or not record.env.cache.contains(record, record._fields[parent_name]):
                return None
            parent_id = record.env.cache.get(record, record._fields[parent_name])
        if not isinstance(parent_id, int) or not parent_id:
            return None
        comodel = record._fields[parent_name].comodel_name
        known = _CURRENCIES.setdefault(record.env.cr, {})
        if (comodel, parent_id) not in known:
            # The parent is stored already: reading it cannot override a value of the record being created.
            currency = record.env[comodel].sudo().browse(parent_id)[path]
            # Plain values: a record would hold the transaction, and the entry would never be forgotten.
            known[comodel, parent_id] = (currency.id, currency.rounding, currency.decimal_places) if currency else ()
        return known[comodel, parent_id]

    def _parent_id_in(self, record, values):
        currency_field_name = self.get_currency_field(record)
        parent_name = (record._fields[currency_field_name].related or "").partition(".")[0]
        if not values or currency_field_name in values or parent_name not in values:
            return None
        return values[parent_name]

    def convert_to_column_insert(self, value, record, values=None, validate=True):
        parent_id = self._parent_id_in(record, values)
        currency = self._parent_currency(record, parent_id) if parent_id else None
        if currency is None:
            return super().convert_to_column_insert(value, record, values, validate)
        value = float(value or 0.0)
        if currency:
            __, rounding, digits = currency
            return float_repr(float_round(value, precision_rounding=rounding), digits)
        return value

    def convert_to_cache(self, value, record, validate=True):
        value = float(value or 0.0)
        if not (value and validate):
            return value
        currency = self._parent_currency(record, None)
        if currency is None:
            return super().convert_to_cache(value, record, validate)
        return float_round(value, precision_rounding=currency[1]) if currency else value
