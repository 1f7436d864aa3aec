# Odoo test modules (the engine tests are plain pytest files, collected by pytest directly).
from . import test_funding_decision, test_referential, test_security, test_tour
