"""Where shipped data lives: ``data/`` in a checkout, ``vsscare/data`` in an installed wheel.

The statute corpus is not shipped (it is public-domain text kept beside the product); it is
looked for in ``VSSCARE_LEGAL_CORPUS``, then in ``../shared/data/legal`` next to a checkout.
"""

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_CHECKOUT = _PACKAGE.parent.parent
_CHECKOUT_DATA = _CHECKOUT / "data"

DATA_DIR = _CHECKOUT_DATA if _CHECKOUT_DATA.is_dir() else _PACKAGE / "data"


def legal_corpus() -> Path | None:
    """The full legal corpus (articles.jsonl) if one is available on this machine."""
    configured = os.environ.get("VSSCARE_LEGAL_CORPUS")
    candidates = [Path(configured)] if configured else []
    candidates.append(_CHECKOUT.parent / "shared" / "data" / "legal" / "articles.jsonl")
    return next((p for p in candidates if p.is_file()), None)
