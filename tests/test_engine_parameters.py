from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.essms_billing.engine.parameters import DatedValues
from odoo.addons.essms_billing.engine.parameters import MissingParameterError
from odoo.addons.essms_billing.engine.parameters import value_at

FJH_ROWS = [(date(2026, 3, 1), 23.0), (date(2018, 1, 1), 20.0)]


def test_value_in_force_before_and_after_a_change():
    assert value_at(FJH_ROWS, date(2026, 2, 28)) == Decimal("20.0")
    assert value_at(FJH_ROWS, date(2026, 3, 1)) == Decimal("23.0")


def test_float_values_become_exact_decimals():
    assert value_at([(date(2025, 4, 1), 1033.32)], date(2025, 4, 1)) == Decimal("1033.32")


def test_no_value_before_the_first_date_is_an_error():
    with pytest.raises(MissingParameterError, match="fjh"):
        DatedValues("fjh", tuple(FJH_ROWS)).at(date(2017, 12, 31))
