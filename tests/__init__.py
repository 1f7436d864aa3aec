# Odoo test modules (the engine tests are plain pytest files, collected by pytest directly).
from . import test_activity_statement
from . import test_billing_run
from . import test_billing_run_concurrency
from . import test_funding_decision
from . import test_recall_run
from . import test_referential
from . import test_reports
from . import test_security
from . import test_tour
from . import test_tour_billing
