from . import essms_payment_batch
from . import essms_receivable_ageing_export
