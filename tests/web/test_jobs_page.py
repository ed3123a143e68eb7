"""The job-queue page: counts, filters, retrying the dead letter; only for jobs.manage."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.conftest import login
from tests.web.helpers import audit_rows, page_csrf
from vsscare.core import jobs
from vsscare.core.db import utcnow


def _seed(db) -> tuple[int, int]:
    with db.session() as session:
        jobs.enqueue(session, "system.ping", {})
        dead = jobs.enqueue(session, "mail.send", {"to": "x@example.vn"})
        other = jobs.enqueue(session, "mail.send", {"to": "y@example.vn"})
        session.flush()
        session.execute(
            update(jobs.Job)
            .where(jobs.Job.id.in_([dead.id, other.id]))
            .values(
                status=jobs.DEAD, last_error="SMTPError: 550 mailbox unavailable\ntrace", finished_at=utcnow()
            )
        )
        return dead.id, other.id


def test_admin_sees_the_queue_and_retries_one_dead_job(client, make_user, db):
    dead, other = _seed(db)
    login(client, make_user("admin"))
    page = client.get("/console/jobs")
    assert page.status_code == 200
    assert "SMTPError: 550 mailbox unavailable" in page.text and "trace" not in page.text
    assert "mail.send" in page.text and "Chạy lại mọi tác vụ hỏng" in page.text
    assert "x@example.vn" not in page.text  # payloads (personal data) are not shown

    only_dead = client.get("/console/jobs", params={"status": "dead", "kind": "mail.send"})
    assert only_dead.text.count("SMTPError") == 2
    assert "system.ping</code>" not in only_dead.text

    token = page_csrf(client, "/console/jobs")
    done = client.post(
        "/console/jobs/retry", data={"job_id": dead, "csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and "retried=1" in done.headers["location"]
    with db.read() as session:
        statuses = {i: s for i, s in session.execute(select(jobs.Job.id, jobs.Job.status))}
    assert statuses[dead] == jobs.QUEUED and statuses[other] == jobs.DEAD
    assert audit_rows(db, "jobs.retry")[-1].details["ids"] == [dead]

    client.post("/console/jobs/retry", data={"all_dead": "true", "csrf_token": token})
    with db.read() as session:
        assert session.scalar(select(jobs.Job.status).where(jobs.Job.id == other)) == jobs.QUEUED


def test_retry_needs_csrf_and_a_known_job(client, make_user, db):
    dead, _other = _seed(db)
    login(client, make_user("admin"))
    refused = client.post("/console/jobs/retry", data={"job_id": dead})
    assert refused.status_code == 403 and "Phiên biểu mẫu" in refused.text
    token = page_csrf(client, "/console/jobs")
    missing = client.post("/console/jobs/retry", data={"job_id": 999999, "csrf_token": token})
    assert missing.status_code == 404 and "999999" in missing.text
    bad = client.post("/console/jobs/retry", data={"job_id": "abc", "csrf_token": token})
    assert bad.status_code == 422
    with db.read() as session:
        assert session.scalar(select(jobs.Job.status).where(jobs.Job.id == dead)) == jobs.DEAD


def test_agent_is_refused(client, make_user, db):
    login(client, make_user("agent"))
    assert client.get("/console/jobs").status_code == 403
    assert audit_rows(db, "permission.denied")[-1].details["permission"] == "jobs.manage"
