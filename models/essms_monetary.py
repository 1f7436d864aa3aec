from odoo import fields
from odoo.tools import float_repr
from odoo.tools import float_round

# The cursor's cache (``cr.cache``, forgotten with the cursor) holds under this key {(parent model, parent id):
# (currency, rounding, decimal places)}: a run's currency is its company's, which does not change while its lines are
# created.
CACHE_KEY = "essms_parent_currency"
# {(model, field name): (currency field, parent field, its comodel, path of the currency on the parent) or None}: how a
# field finds its currency, the same for every record of its model.
_ROUTES = {}


class ChildMonetary(fields.Monetary):
    """A monetary field of a record created by the thousand under a parent that gives its currency (a billing
    run's lines, a line's detail rows): the same values as Odoo's monetary field, rounded by the same currency.

    Odoo's field finds the currency of a related ``currency_id`` (``run_id.currency_id``) by building a new record
    for every value inserted, then by computing the related field on each record put in the cache, which cost a
    billing run's compute half of its time; this one reads the currency on the parent record (given in the values,
    or already in the cache), which the cache holds after the first line. The way from the field to its currency is
    worked out once per field, the currency read once per parent and cursor: a run's compute converts a hundred
    thousand amounts."""

    def _route(self, model):
        key = (model._name, self.name)
        if key not in _ROUTES:
            currency_field = self.get_currency_field(model)
            parent_name, __, path = (model._fields[currency_field].related or "").partition(".")
            if not path or "." in path:
                _ROUTES[key] = None
            else:
                _ROUTES[key] = (currency_field, parent_name, model._fields[parent_name].comodel_name, path)
        return _ROUTES[key]

    def _parent_currency(self, env, comodel, parent_id, path):
        known = env.cr.cache.get(CACHE_KEY)
        if known is None:
            known = env.cr.cache[CACHE_KEY] = {}
        currency = known.get((comodel, parent_id))
        if currency is None:
            parent = env[comodel].sudo().browse(parent_id)
            # The parent's currency related to its own parent in the cache (a detail row's line, created with its
            # run in the cache): that one's, not the related field computed again on each of thousands of lines.
            grand_name, __, grand_path = (parent._fields[path].related or "").partition(".")
            grand_field = parent._fields.get(grand_name)
            grand_id = None
            if grand_field is not None and grand_field.type == "many2one" and "." not in grand_path:
                grand_id = env.cache.get(parent, grand_field, None)
            if isinstance(grand_id, int) and grand_id:
                currency = self._parent_currency(env, grand_field.comodel_name, grand_id, grand_path)
            else:
                # The parent is stored already: reading it cannot override a value of the record being created.
                record = parent[path]
                # Plain values: a record would hold the transaction.
                currency = (record.id, record.rounding, record.decimal_places) if record else ()
            known[comodel, parent_id] = currency
        return currency

    def convert_to_column_insert(self, value, record, values=None, validate=True):
        route = self._route(record) if values else None
        if route is None or route[0] in values or not isinstance(values.get(route[1]), int) or not values[route[1]]:
            return super().convert_to_column_insert(value, record, values, validate)
        currency = self._parent_currency(record.env, route[2], values[route[1]], route[3])
        value = float(value or 0.0)
        if currency:
            return float_repr(float_round(value, precision_rounding=currency[1]), currency[2])
        return value

    def convert_to_cache(self, value, record, validate=True):
        value = float(value or 0.0)
        if not (value and validate):
            return value
        route = self._route(record)
        if route is None or len(record) != 1:
            return super().convert_to_cache(value, record, validate)
        parent_field = record._fields[route[1]]
        cache = record.env.cache
        parent_id = cache.get(record, parent_field) if cache.contains(record, parent_field) else None
        if not isinstance(parent_id, int) or not parent_id:
            return super().convert_to_cache(value, record, validate)
        currency = self._parent_currency(record.env, route[2], parent_id, route[3])
        return float_round(value, precision_rounding=currency[1]) if currency else value
