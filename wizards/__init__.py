from . import essms_accounting_reciprocity
from . import essms_entries_export
from . import essms_payment_batch
from . import essms_portal_export
from . import essms_receivable_ageing_export
from . import essms_recovery_settings
