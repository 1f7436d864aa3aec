from . import account_banking_mandate
from . import account_move
from . import account_payment_order
from . import essms_beneficiary
from . import essms_billing_run
from . import essms_demo_sepa
