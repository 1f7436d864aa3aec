from . import (
    test_activity_statement,
    test_billing_run,
    test_billing_run_concurrency,
    test_engine_billing,
    test_engine_contribution,
    test_engine_days,
    test_engine_decisions,
    test_engine_parameters,
    test_engine_pricing,
    test_reports,
)
