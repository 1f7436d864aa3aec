"""Explanation lines and anomalies as structured messages: an English template and its parameters.

The engine never formats text for the user: it returns ``Message`` objects. ``render()`` gives the
English text (tests, logs); the Odoo side translates ``message.template.text`` and formats it with
``message.formatted_params()``. Templates are wrapped in ``_lt`` so that Odoo's term extractor, which
looks for that name, puts them in the addon's translation template.
"""

from dataclasses import dataclass
from datetime import date


def _lt(text):
    """Mark ``text`` for extraction into ``i18n/essms_billing.pot``; the engine keeps it in English."""
    return text


@dataclass(frozen=True)
class Template:
    """A kind of message: a stable ``code`` for the program, an English ``text`` for the user."""

    code: str
    text: str

    def __call__(self, **params):
        return Message(self, tuple(sorted(params.items())))


@dataclass(frozen=True)
class Message:
    """One line of an explanation or one anomaly: ``template`` filled with ``params``."""

    template: Template
    params: tuple = ()

    @property
    def code(self):
        return self.template.code

    def formatted_params(self):
        """Parameters as text: amounts with their cents (``180.00``), dates in ISO form."""
        return {
            name: value.isoformat() if isinstance(value, date) else value.render() if isinstance(value, Message)
            else str(value)
            for name, value in self.params
        }

    def render(self):
        return self.template.text % self.formatted_params()
