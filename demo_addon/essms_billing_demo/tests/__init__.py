# Odoo test modules; pytest collects every test_*.py file of this folder.
from . import test_demo_generator
from . import test_demo_scenarios
