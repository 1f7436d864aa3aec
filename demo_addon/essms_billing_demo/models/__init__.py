from . import essms_demo_allocation
from . import essms_demo_components
from . import essms_demo_generator
from . import essms_demo_legal
from . import essms_demo_money
from . import essms_demo_public
from . import essms_demo_recovery
from . import essms_demo_writeoff
