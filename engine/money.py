"""Money arithmetic: amounts are ``Decimal`` rounded half-up to the cent."""

from decimal import ROUND_HALF_UP
from decimal import Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_decimal(value):
    """A ``Decimal`` from a Decimal, an int, a float read from the database, or a string."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def cents(value):
    """``value`` rounded half-up to the cent."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class SignedAmount(Decimal):
    """An amount shown with its sign, ``+180.00`` or ``-180.00``: a difference, in explanations."""

    __slots__ = ()

    def __str__(self):
        text = super().__str__()
        return text if self <= 0 else "+" + text
