from . import essms_receivable_ageing_export
