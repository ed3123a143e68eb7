"""Imports every module that registers job handlers, so a worker knows every job kind.

Like :mod:`vsscare.models` for tables: a domain that adds handlers (``<domain>/jobs.py``) lists
its module here. A job whose kind no imported module handles goes to the dead letter at once.
"""

from vsscare.core import system_jobs  # noqa: F401
from vsscare.customers import jobs as customers_jobs  # noqa: F401
from vsscare.knowledge import jobs as knowledge_jobs  # noqa: F401
from vsscare.requests import jobs as requests_jobs  # noqa: F401
