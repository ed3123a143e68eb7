"""Where shipped data lives: ``data/`` in a checkout, ``vsscare/data`` in an installed wheel."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_CHECKOUT_DATA = _PACKAGE.parent.parent / "data"

DATA_DIR = _CHECKOUT_DATA if _CHECKOUT_DATA.is_dir() else _PACKAGE / "data"
