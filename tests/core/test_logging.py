import json
import logging
import sys

from vsscare.core.context import bound
from vsscare.core.logging import JsonFormatter


def _format(record_kwargs: dict, extra: dict | None = None) -> dict:
    record = logging.makeLogRecord({"name": "t", "levelno": 20, "levelname": "INFO", **record_kwargs})
    for key, value in (extra or {}).items():
        setattr(record, key, value)
    return json.loads(JsonFormatter().format(record))


def test_json_line_carries_correlation_id_and_extras():
    with bound("req-42"):
        entry = _format({"msg": "job done: %s", "args": ("ok",)}, {"job_id": 7, "ms": 1.5})
    assert entry["msg"] == "job done: ok" and entry["level"] == "info"
    assert entry["correlation_id"] == "req-42" and entry["job_id"] == 7 and entry["ms"] == 1.5


def test_terminal_colour_copies_are_dropped_and_text_stays_unicode():
    entry = _format({"msg": "Đã nhận"}, {"color_message": "\x1b[36mĐã nhận\x1b[0m"})
    assert "color_message" not in entry and entry["msg"] == "Đã nhận"


def test_exceptions_are_included():
    try:
        raise ValueError("boom")
    except ValueError:
        entry = _format({"msg": "failed", "exc_info": sys.exc_info()})
    assert "ValueError: boom" in entry["exc"]
