"""Decisions of the answering engine over a small published bank (both backends)."""

from __future__ import annotations

import time

import pytest

from tests.knowledge.conftest import HEALTH, UNEMPLOYMENT, create
from vsscare.answering import index
from vsscare.answering.engine import Engine
from vsscare.answering.service import answerer, warm_up

ENGLISH = {
    "question_en": "When can I withdraw my social insurance in one lump sum?",
    "short_answer_en": "When you meet the conditions of Article 70 of the 2024 Social Insurance Law.",
    "full_answer_en": "Under **Article 70** of Law 41/2024/QH15, …",
}


@pytest.fixture
def bank(legal_sample):
    create(legal_sample, publish=True, **ENGLISH)  # bhxh_mot_lan-001: one-time withdrawal
    create(legal_sample, publish=True, **UNEMPLOYMENT)
    create(legal_sample, publish=True, **HEALTH)
    create(legal_sample, question="Bản nháp chưa công bố về lương hưu?")  # never answered
    with legal_sample.read() as session:
        return Engine(index.build(session))


def test_accented_unaccented_and_abbreviated_questions_find_the_same_entry(bank):
    asked = [
        "Trợ cấp thất nghiệp mỗi tháng được bao nhiêu?",
        "tro cap that nghiep moi thang duoc bao nhieu",
        "tctn 1 thang dc bn tien",
    ]
    for question in asked:
        result = bank.answer(question, channel="web")
        assert result.candidates[0].entry_id == "bhtn-001", question
        assert result.candidates[0].sources == ["74/2025/QH15#39"]
    result = bank.answer(asked[0])
    assert result.decision == "answer" and result.answer["entry_id"] == "bhtn-001"
    assert [(s.key, s.in_force) for s in result.sources] == [("74/2025/QH15#39", True)]
    assert result.topic == "bhtn" and result.lang == "vi"


def test_personal_records_and_complaints_go_to_people(bank):
    mine = bank.answer("tro cap that nghiep cua toi bi tru, ma so 4812345678")
    assert (mine.decision, mine.handover_reason, mine.answer) == ("handover", "personal_record", None)
    assert bank.answer("kiem tra giup the bhyt DN4797912345678").handover_reason == "personal_record"
    grievance = bank.answer("toi muon khieu nai can bo bhxh huyen vi thai do phuc vu")
    assert (grievance.decision, grievance.handover_reason) == ("handover", "complaint")


@pytest.mark.parametrize(
    ("question", "lookup"),
    [
        ("quá trình đóng BHXH của tôi", "contributions"),
        ("thẻ BHYT của tôi còn hạn không", "health_card"),
        ("the bhyt cua toi con han ko", "health_card"),
        ("hồ sơ của tôi đến đâu rồi", "dossier"),
        ("toi da dong bhxh duoc bao nhieu thang roi", "contributions"),
        ("tien thai san cua em khi nao nhan duoc", "claims"),
    ],
)
def test_questions_about_ones_own_record_go_to_a_verified_lookup(bank, question, lookup):
    result = bank.answer(question)
    assert (result.decision, result.handover_reason, result.self_service) == (
        "handover", "personal_record", lookup,
    )  # fmt: skip


def test_general_questions_with_my_are_still_answered(bank):
    result = bank.answer("Trợ cấp thất nghiệp của tôi mỗi tháng được bao nhiêu?")
    assert result.decision != "handover" and result.self_service is None


@pytest.mark.parametrize(
    "question",
    ["thủ tục sang tên sổ đỏ nhà đất", "Where can I renew my passport?", "' OR 1=1 --", "😀😀", "?????"],
)
def test_questions_outside_insurance_are_out_of_scope(bank, question):
    result = bank.answer(question)
    assert result.decision == "out_of_scope" and result.answer is None and result.topic is None


def test_english_is_answered_in_english_where_the_entry_has_it(bank):
    result = bank.answer("Can I withdraw my social insurance as a lump sum?")
    assert result.lang == "en" and result.decision in ("answer", "clarify")
    assert result.candidates[0].entry_id == "bhxh_mot_lan-001"
    assert result.candidates[0].question == ENGLISH["question_en"]
    if result.answer:
        assert result.answer["short"] == ENGLISH["short_answer_en"]
    # No English version: the Vietnamese answer, with a note.
    other = bank.answer("How much is the unemployment benefit per month?")
    assert other.candidates[0].entry_id == "bhtn-001"
    if other.answer:
        assert other.answer["short"].startswith("Bằng 60%") and other.note


def test_a_follow_up_borrows_the_previous_question(bank):
    assert bank.answer("vậy còn mỗi tháng thì sao").decision == "out_of_scope"
    followed = bank.answer("vậy còn mỗi tháng thì sao", previous="trợ cấp thất nghiệp được bao nhiêu")
    assert followed.decision != "out_of_scope"
    assert followed.candidates[0].entry_id == "bhtn-001"
    switched = bank.answer("còn bhyt thì sao", previous="trợ cấp thất nghiệp được bao nhiêu phần trăm")
    assert switched.candidates[0].entry_id == "bhyt-001"


def test_bad_input_gets_a_decision_in_bounded_time(bank):
    for question in ("", "   ", "\x00\x01", "bảo hiểm " * 3000, "ﷺ 中文 русский bhxh"):
        began = time.perf_counter()
        result = bank.answer(question)
        assert result.decision in ("answer", "clarify", "handover", "out_of_scope")
        assert time.perf_counter() - began < 0.5


def test_an_empty_bank_still_decides(db):
    with db.read() as session:
        engine = Engine(index.build(session))
    assert engine.answer("trợ cấp thất nghiệp bao nhiêu").decision in ("handover", "out_of_scope")


def test_a_publication_is_answered_without_restart(legal_sample):
    service = answerer(legal_sample)
    before, _ = service.ask("Mức hưởng trợ cấp thất nghiệp hằng tháng?", record=False)
    assert not before.candidates
    create(
        legal_sample,
        publish=True,
        topic="bhtn",
        question="Mức hưởng trợ cấp thất nghiệp hằng tháng là bao nhiêu?",
        phrasings=["muc huong tro cap that nghiep"],
        legal_bases=["74/2025/QH15#39"],
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        after, log_id = service.ask("Mức hưởng trợ cấp thất nghiệp hằng tháng?")
        if after.candidates:
            break
        time.sleep(0.05)
    assert after.candidates[0].entry_id == "bhtn-001" and log_id is not None


def test_the_index_can_be_built_before_the_first_question(legal_sample):
    create(legal_sample, publish=True, **UNEMPLOYMENT)
    service = answerer(legal_sample)
    assert not service.ready
    warm_up(legal_sample).join(timeout=30)
    assert service.ready
    result, _ = service.ask("muc huong tro cap that nghiep", record=False)
    assert result.candidates[0].entry_id == "bhtn-001"
