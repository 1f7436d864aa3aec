from . import test_engine_debits
from . import test_sepa_debit
from . import test_tour_debit_order
