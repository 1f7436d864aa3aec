from . import test_engine_debits
from . import test_sepa_debit
