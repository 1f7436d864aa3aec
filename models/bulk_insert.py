"""Records created by the thousand in a few statements, writing what the ORM's ``create`` would write.

The ORM's create spends most of its time per value (defaults, conversions, caches, the stored computed fields one
record at a time): for the lines of a billing run or of a dunning proposal, more than the rules that computed
them. Here the rows go in one ``INSERT ... SELECT FROM unnest(arrays)`` per model, and the checks of a create (the
access rights, the record rules, the companies, the constraints) are made once on the records inserted. Whatever
a statement cannot write as the ORM would (a field it does not know, a default, a translated field), the ORM
creates instead: ``insert_records`` returns ``None``.
"""

from datetime import date

from odoo import models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools import float_round

# The values written as the text of an array (``array_param``): their ``str`` is what PostgreSQL reads back.
TEXT_TYPES = frozenset({int, float, date, type(None)})


def array_param(values, sql_type):
    """``values`` as one ``%s::sql_type[]`` parameter: the text of the array when they are ids, amounts or
    dates (``None`` for NULL), which PostgreSQL reads as it reads each value adapted on its own.

    psycopg adapts a list value by value (``'2026-01-05'::date``, ...): for the 16 columns of 460 000 lines,
    a third of a proposal's Python time; the text of the array takes a tenth of it. Other values (strings,
    booleans) are adapted by psycopg.
    """
    if values and set(map(type, values)) <= TEXT_TYPES:
        values = "{%s}" % ",".join(["NULL" if value is None else str(value) for value in values])
    return SQL("%s::%s[]", values, SQL(sql_type))


class RoundedAmounts(dict):
    """``float_round(value, precision_rounding=precision)`` by ``(value, precision)``, each pair rounded once.

    A proposal rounds three amounts per line and one per letter (1 600 000 calls for 500 000 invoices, a tenth of
    its Python time), and the same amounts come back again and again (a month's contribution, a residual): the
    dictionary hands back the very float ``float_round`` returned, so the rows written are the same.
    """

    def __missing__(self, key):
        rounded = self[key] = float_round(key[0], precision_rounding=key[1])
        return rounded


def check_company_in_bulk(records, fnames=None):
    """What is left for Odoo's ``_check_company`` to check one record at a time: nothing when every record
    links only to records of its company.

    Odoo checks each record on its own (a ``filtered_domain`` per record and field: most of the time of creating
    the 50 000 lines of a proposal); the same test is made here once per company and field, on the union of the
    linked records. Records linked to something amiss are handed back to Odoo's check, for its error message.
    """
    if len(records) < 2:
        return records
    if fnames is None or {"company_id", "company_ids"} & set(fnames):
        fnames = records._fields
    names = []
    for name in fnames:
        field = records._fields[name]
        if field.relational and field.check_company:
            if field.company_dependent:
                return records  # Odoo's own check for properties
            names.append(name)
    suspects = records.browse()
    # Only the fields compared are read, not every field of thousands of invoices.
    for company, group in records.with_context(prefetch_fields=False).grouped("company_id").items():
        for name in names:
            linked = group.sudo()[name]
            if not linked:
                continue
            domain = linked._check_company_domain(company)
            if domain and linked != linked.with_context(active_test=False).filtered_domain(domain):
                suspects |= group
                break
    return suspects


def check_created_access(records):
    """``records.check_access("create")`` for records just inserted, the record rules checked by one query:
    Odoo's check reads every record to test the rules in Python (100 000 letters of a proposal). A record the
    rules refuse is handed to Odoo's check, for its error message."""
    records.browse().check_access("create")
    if records.env.su or not records:
        return
    domain = records.env["ir.rule"]._compute_domain(records._name, "create")
    if not domain:
        return
    allowed = set(records.sudo()._search(expression.AND([[("id", "in", records.ids)], domain])))
    records.browse([record_id for record_id in records.ids if record_id not in allowed]).check_access("create")



def _column_values(field, values, env, rounding, rounded):
    """``values`` of ``field`` as its ``convert_to_column`` writes them (``None`` for NULL), without its per-value
    overhead: a run's compute writes a hundred thousand values."""
    kind = field.type
    if kind == "monetary":
        return [rounded[float(value or 0.0), rounding] for value in values]
    if kind == "float":
        digits = field.get_digits(env)
        if digits:
            # ``float_round(value, precision_rounding=10 ** -scale)``, as ``precision_digits`` rounds: each value once.
            precision = 10 ** -digits[1]
            return [rounded[float(value or 0.0), precision] for value in values]
        return [float(value or 0.0) for value in values]
    if kind == "integer":
        return [int(value or 0) for value in values]
    if kind == "boolean":
        return [bool(value) for value in values]
    if kind == "selection":
        allowed = set(field.get_values(env))
        wrong = {value for value in values if value and value not in allowed}
        if wrong:
            raise ValueError("Wrong value for %s: %r" % (field, sorted(wrong)[0]))
        return [value or None for value in values]
    if kind in ("many2one", "date", "datetime"):
        return [value or None for value in values]
    # char, text: an empty string is kept, False and None are NULL.
    return [None if value is None or value is False else value for value in values]


def insert_records(model, vals_list, computed=(), currency=None):
    """Create the records of ``vals_list`` in ``model`` with one statement, writing what its ``create`` would;
    ``None`` when the ORM must create them instead.

    ``vals_list`` gives stored column fields only; ``computed`` names the stored computed fields among them, given
    as their compute methods would find them (the caller knows: a line's company is its run's). ``currency``: the
    currency of every monetary amount. The ORM creates the records when a value is for another field (a one2many,
    a translated field), when the model has a stored field left out with a default, a compute or a requirement, or
    when monetary amounts come without their currency: whatever this function does not know it leaves to Odoo.
    The ids are drawn from the table's sequence first, so that each row keeps its own whatever the database does
    with the order of the rows inserted; they are ascending in the order of ``vals_list``, as the ORM's.
    """
    if not vals_list:
        return model.browse()
    names = sorted({name for vals in vals_list for name in vals})
    if any(name not in vals for vals in vals_list for name in computed):
        return None  # a computed field left to its compute on some records
    fields = model._fields
    for name in names:
        field = fields.get(name)
        if (
            field is None or not field.store or not field.column_type or name in models.LOG_ACCESS_COLUMNS
            or name == "id" or getattr(field, "translate", False) or field.company_dependent
            or (field.compute and name not in computed) or (field.type == "monetary" and not currency)
        ):
            return None
    left_out = [
        name for name, field in fields.items()
        if field.store and field.column_type and name not in names and name not in models.LOG_ACCESS_COLUMNS
        and name != "id"
    ]
    if any(fields[name].compute or fields[name].required for name in left_out) or model.default_get(left_out):
        return None
    model.check_access("create")
    env = model.env
    cr = env.cr
    rounded = RoundedAmounts()
    rounding = currency.rounding if currency else None
    arrays = [
        array_param(
            _column_values(fields[name], [vals.get(name) for vals in vals_list], env, rounding, rounded),
            fields[name].column_type[1],
        )
        for name in names
    ]
    cr.execute(SQL(
        "SELECT nextval(%s) FROM generate_series(1, %s)", "%s_id_seq" % model._table, len(vals_list)
    ))
    ids = sorted(row[0] for row in cr.fetchall())
    now = cr.now()
    cr.execute(SQL(
        """
        INSERT INTO %(table)s (id, %(columns)s, create_uid, create_date, write_uid, write_date)
        SELECT row.*, %(uid)s, %(now)s, %(uid)s, %(now)s FROM unnest(%(ids)s, %(arrays)s) AS row
        """,
        table=SQL.identifier(model._table),
        columns=SQL(", ").join(SQL.identifier(name) for name in names),
        ids=array_param(ids, "int4"),
        arrays=SQL(", ").join(arrays),
        uid=env.uid,
        now=now,
    ))
    records = model.browse(ids)
    # What the ORM's create would have put in the caches of the records linked (a run's lines, a stay's), and the
    # fields computed from these records (a run's counts), the computed fields given kept as they are.
    for name in names:
        for inverse in model.pool.field_inverses[fields[name]]:
            env[inverse.model_name].invalidate_model([inverse.name])
    with env.protecting([fields[name] for name in computed], records):
        records.modified(names, create=True)
    check_created_access(records)
    checked = [name for name in names if fields[name].relational and fields[name].check_company]
    if checked:
        check_company_in_bulk(records, checked)._check_company(checked)
    records._validate_fields(names)
    return records
