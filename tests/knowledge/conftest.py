"""Shared set-up of the knowledge tests: a valid entry's content (the ``legal_sample`` fixture is in
the top-level conftest)."""

from __future__ import annotations

from typing import Any

from vsscare.core.events import Actor
from vsscare.knowledge import actions
from vsscare.knowledge.content import parse_content


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


EDITOR = Actor("user", "1", "bientap")
APPROVER = Actor("user", "2", "pheduyet")


def create(db, *, publish: bool = False, **changes: Any) -> str:
    """A new entry written by EDITOR; with ``publish``, approved and published by APPROVER."""
    with db.session() as session:
        code = actions.create_entry(session, EDITOR, parse_content(content(**changes))).code
    if publish:
        with db.session() as session:
            actions.submit(session, EDITOR, code)
            actions.approve(session, APPROVER, code)
            actions.publish(session, APPROVER, code)
    return code


# Content of the entries the answering tests publish next to the default one (bhxh_mot_lan-001).
UNEMPLOYMENT = {
    "topic": "bhtn",
    "question": "Mức hưởng trợ cấp thất nghiệp hằng tháng là bao nhiêu?",
    "phrasings": ["muc huong tro cap that nghiep", "tctn được bao nhiêu tiền một tháng"],
    "short_answer": "Bằng 60% bình quân tiền lương tháng đóng BHTN của 6 tháng liền kề.",
    "full_answer": "Theo Điều 39 Luật Việc làm 2025 …",
    "legal_bases": ["74/2025/QH15#39"],
}
HEALTH = {
    "topic": "bhyt",
    "question": "Đi khám bảo hiểm y tế đúng tuyến được chi trả bao nhiêu phần trăm?",
    "phrasings": ["kham bhyt dung tuyen duoc tra bao nhieu"],
    "short_answer": "Được quỹ BHYT chi trả theo mức hưởng ghi trên thẻ.",
    "full_answer": "Theo Luật BHYT sửa đổi 2024 …",
    "legal_bases": ["51/2024/QH15#1"],
}
