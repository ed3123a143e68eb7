"""Console import of a bank file: approvers only, every bad row listed, nothing changed on error."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.conftest import login
from tests.knowledge.conftest import content
from tests.web.helpers import page_csrf
from vsscare.knowledge.models import KbEntry


def line(code: str, **changes) -> str:
    row = {"id": code, "status": "draft", "version": 1} | content() | changes
    row = {k: row[k] for k in ("id", "status", "topic", "audiences", "question", "phrasings", "short_answer",
           "full_answer", "question_en", "short_answer_en", "full_answer_en", "legal_bases",
           "effective_from", "effective_to", "next_review_at", "version")}  # fmt: skip
    return json.dumps(row, ensure_ascii=False)


def upload(client, name: str, body: bytes):
    token = page_csrf(client, "/console/knowledge/import")
    return client.post(
        "/console/knowledge/import",
        data={"csrf_token": token},
        files={"file": (name, body, "application/octet-stream")},
    )


def entries(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(KbEntry))


def test_approver_imports_a_file_and_sees_the_report(client, make_user, legal_sample):
    login(client, make_user("knowledge_approver"))
    body = (line("bhyt-901") + "\n" + line("bhyt-902") + "\n").encode()
    answer = upload(client, "bank.jsonl", body)
    assert answer.status_code == 200, answer.text
    assert "2 mới" in answer.text and 'href="/console/knowledge/bhyt-901"' in answer.text
    assert entries(legal_sample) == 2


def test_bad_rows_are_listed_and_nothing_is_imported(client, make_user, legal_sample):
    login(client, make_user("knowledge_approver"))
    body = "\n".join([line("bhyt-901"), line("bhyt-902", short_answer="x" * 301), "{not json"]).encode()
    answer = upload(client, "bank.jsonl", body)
    assert answer.status_code == 422
    rows = answer.text.split('id="import-problems-caption"')[1]
    assert '<td class="nowrap">2</td><td><code>short_answer</code>' in rows
    assert '<td class="nowrap">3</td>' in rows and "invalid JSON" in rows
    assert entries(legal_sample) == 0


def test_wrong_type_and_permissions(client, make_user, legal_sample):
    login(client, make_user("knowledge_approver"))
    assert upload(client, "bank.csv", b"a,b").status_code == 415
    editor = make_user("knowledge_editor")
    client.cookies.clear()
    login(client, editor)
    assert client.get("/console/knowledge/import").status_code == 403
