from . import essms_accounting_reciprocity_xlsx
from . import essms_receivable_ageing_xlsx
from . import essms_recovery_dashboard_xlsx
from . import essms_writeoff_board_xlsx
