"""Shared set-up of the knowledge tests: the bundled legal sample and a valid entry's content."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TEST_ACTOR
from vsscare.core.paths import DATA_DIR
from vsscare.knowledge import legal

SAMPLE = DATA_DIR / "legal-sample.jsonl"


@pytest.fixture
def legal_sample(db):
    with db.session() as session:
        legal.import_corpus(session, SAMPLE, TEST_ACTOR)
    return db


def content(**changes: Any) -> dict[str, Any]:
    """What an editor writes for a valid entry citing the legal sample."""
    base = {
        "topic": "bhxh_mot_lan",
        "audiences": ["employee"],
        "question": "Khi nào được hưởng bảo hiểm xã hội một lần?",
        "phrasings": ["khi nao duoc huong bhxh mot lan", "rút bhxh 1 lần được ko"],
        "short_answer": "Khi đủ điều kiện theo Điều 70 Luật BHXH 2024.",
        "full_answer": "Theo **Điều 70** Luật BHXH số 41/2024/QH15, …",
        "question_en": "",
        "short_answer_en": "",
        "full_answer_en": "",
        "legal_bases": ["41/2024/QH15#70"],
        "effective_from": "2025-07-01",
        "effective_to": None,
        "next_review_at": None,
    }
    return base | changes
