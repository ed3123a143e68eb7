"""Imports every domain's tables so ``Base.metadata`` is complete (migrations, tests)."""

from vsscare.accounts import models as accounts_models  # noqa: F401
from vsscare.answering import models as answering_models  # noqa: F401
from vsscare.core import audit, events, jobs  # noqa: F401
from vsscare.core.db import Base
from vsscare.customers import models as customers_models  # noqa: F401
from vsscare.customers import registry_models  # noqa: F401
from vsscare.knowledge import models as knowledge_models  # noqa: F401
from vsscare.orgunits import models as orgunits_models  # noqa: F401
from vsscare.requests import models as requests_models  # noqa: F401

metadata = Base.metadata
