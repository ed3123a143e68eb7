"""vsscare — customer care for Vietnam Social Security."""

__version__ = "0.1.0"
