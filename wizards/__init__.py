from . import essms_entries_export
from . import essms_portal_export
