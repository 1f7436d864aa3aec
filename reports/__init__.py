from . import essms_receivable_ageing_xlsx
