"""The request generator on SQLite and PostgreSQL: consistent rows, codes that continue, search,
determinism, and refusals."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tests.requests.conftest import new_request
from vsscare.accounts.models import User
from vsscare.accounts.principal import Principal
from vsscare.core.db import Database
from vsscare.core.errors import AppError
from vsscare.core.events import Actor, EventRecord, event_class
from vsscare.core.jobs import Job
from vsscare.orgunits.calendar import VN_TZ
from vsscare.orgunits.models import OrgUnit
from vsscare.requests import actions, contact, queries, search
from vsscare.requests import events as request_events  # noqa: F401  (registers the event types)
from vsscare.requests.generate import generate
from vsscare.requests.masking import mask_phone
from vsscare.requests.models import Request, RequestCounter, RequestMessage, RequestSearch, RequestTransfer
from vsscare.requests.queries import Filters
from vsscare.requests.schemas import phone_e164

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Hà Nội
CODE = re.compile(r"^YC-(\d{4})-(\d{6})$")


def _everyone() -> Principal:
    return Principal(0, "t", "T", "vi", frozenset(), frozenset(), None, None)


def _counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            "requests": session.scalar(select(func.count()).select_from(Request)),
            "messages": session.scalar(select(func.count()).select_from(RequestMessage)),
            "search": session.scalar(select(func.count()).select_from(RequestSearch)),
            "events": session.scalar(
                select(func.count()).select_from(EventRecord).where(EventRecord.subject_type == "request")
            ),
            "transfers": session.scalar(select(func.count()).select_from(RequestTransfer)),
        }


def test_rows_are_consistent_and_codes_continue(ring, db: Database):
    # three batches (made in a second process), half a year: some are still being worked on
    first = generate(db, 300, ring=ring, seed=7, now=NOW, years=0.5, batch=100)
    counts = _counts(db)
    assert counts == {"requests": 300, "messages": first.messages, "search": 300, "events": first.events,
                      "transfers": first.transfers}  # fmt: skip
    assert 4 <= first.messages / 300 <= 6 and first.events > 5 * 300
    assert first.agents_created == 200
    with db.read() as session:
        requests = list(session.scalars(select(Request).order_by(Request.id)))
        years = Counter(int(CODE.match(r.code).group(1)) for r in requests)
        assert len({r.code for r in requests}) == 300
        for year, count in years.items():  # a fresh database: each year numbered 1…n, counter at n
            numbers = sorted(int(r.code[-6:]) for r in requests if r.code.startswith(f"YC-{year}-"))
            assert numbers == list(range(1, count + 1))
            assert session.get(RequestCounter, year).value == count
        assert all(NOW - timedelta(days=183) <= r.created_at <= NOW for r in requests)
        old = {r.status for r in requests if r.created_at < NOW - timedelta(days=40)}
        assert "closed" in old and old <= {"closed", "open", "new", "pending_unit"}
        assert any(
            r.status not in ("closed", "resolved") for r in requests if r.created_at > NOW - timedelta(days=7)
        )
        assert all(
            r.assignee_id and r.team_unit_id and r.province_code for r in requests if r.status != "new"
        )
        for r in requests:
            if r.contact_phone_enc:
                number = contact.phone(ring, r)
                assert phone_e164(number) == number and r.contact_phone_masked == mask_phone(number)
            if r.resolved_at:
                assert r.first_responded_at and r.created_at <= r.first_responded_at <= r.resolved_at
            assert (r.sla_state == "breached") == any(m.endswith(":breached") for m in r.sla_marks)
        # every request's timeline starts with its creation and message, in time order
        timeline = session.execute(
            select(EventRecord.subject_id, EventRecord.type, EventRecord.occurred_at)
            .where(EventRecord.subject_type == "request")
            .order_by(EventRecord.subject_id, EventRecord.id)
        ).all()
        by_request: dict[str, list] = {}
        for subject, kind, at in timeline:
            by_request.setdefault(subject, []).append((kind, at))
        assert len(by_request) == 300
        for items in by_request.values():
            assert [k for k, _ in items[:2]] == ["request.created", "request.message_received"]
            assert [at for _, at in items] == sorted(at for _, at in items)
        # the data of every event is what its model dumps
        for kind, data in session.execute(select(EventRecord.type, EventRecord.data)):
            if kind.startswith("request."):
                assert event_class(kind).model_validate(data).model_dump(mode="json") == data
        assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "requests.autoclose"))
        last_year = max(years)
        counter = session.get(RequestCounter, last_year).value
    # a request created afterwards takes the next number
    with db.session() as session:
        created = actions.create(
            session, Actor.system("tests"), new_request(), auto_assign=False, now=NOW, ring=ring
        )
        assert created.code == f"YC-{last_year}-{counter + 1:06d}"
    # a second run adds requests with new codes, reusing the agents
    again = generate(db, 120, ring=ring, seed=7, now=NOW)
    assert again.agents_created == 0
    with db.read() as session:
        codes = list(session.scalars(select(Request.code)))
        assert len(codes) == len(set(codes)) == 421
        assert (
            session.scalar(select(func.count()).select_from(User).where(User.username.like("agent.gen.%")))
            == 200
        )


def test_search_history_and_queues_find_generated_requests(ring, db: Database):
    generate(db, 300, ring=ring, seed=7, now=NOW)
    with db.read() as session:
        who = _everyone()
        found = {}
        for q in ("thẻ bảo hiểm y tế", "the bao hiem y te", "trợ cấp thất nghiệp", "tro cap that"):
            found[q] = queries.list_requests(session, who, Filters(q=q), limit=200).items
            assert found[q], q
        assert {r.id for r in found["thẻ bảo hiểm y tế"]} == {r.id for r in found["the bao hiem y te"]}
        # the search text is exactly what the actions would have indexed
        for r in found["tro cap that"][:20]:
            inbound = session.scalars(
                select(RequestMessage.body)
                .where(RequestMessage.request_id == r.id, RequestMessage.kind == "inbound")
                .order_by(RequestMessage.id)
            ).all()
            expected = search.folded(r.subject, r.contact_name, r.contact_email, *inbound)[: search.MAX_BODY]
            assert session.get(RequestSearch, r.id).body == expected
        # customers come back: one phone number has several requests, across channels
        phone, n = session.execute(
            select(Request.contact_phone_bi, func.count())
            .where(Request.contact_phone_bi.is_not(None))
            .group_by(Request.contact_phone_bi)
            .order_by(func.count().desc())
        ).first()
        assert n >= 3
        history = queries.history_of(session, who, phone_bi=phone)
        assert len(history) == n and len({r.channel for r in history}) >= 2
        # queue filters and date filters see the generated rows like any others
        newest = session.scalar(select(Request).order_by(Request.created_at.desc()).limit(1))
        assert session.scalar(select(Request.id).where(Request.created_at == newest.created_at)) == newest.id
        day = newest.created_at.astimezone(VN_TZ).date()
        recent = queries.list_requests(session, who, Filters(created_from=day), limit=200).items
        assert newest.id in {r.id for r in recent}
        closed = queries.list_requests(session, who, Filters(status=("closed",), topic="bhyt"), limit=5).items
        assert closed and all(r.status == "closed" and r.topic == "bhyt" for r in closed)


@pytest.fixture
def fresh_db(backend: str, request: pytest.FixtureRequest, tmp_path: Path):
    """A second empty database of the same backend."""
    if backend == "sqlite":
        target = tmp_path / "other.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        database = Database(f"sqlite:///{target}")
        yield database
        database.dispose()
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"gen{abs(hash(tmp_path)) % 10**8}"
    database = Database(cluster.create_database(name, template=request.getfixturevalue("pg_template")))
    yield database
    database.dispose()
    cluster.drop_database(name)


def test_same_seed_on_a_fresh_database_gives_the_same_requests(ring, db: Database, fresh_db: Database):
    def made(database: Database) -> list[tuple]:
        generate(database, 150, ring=ring, seed=7, now=NOW)
        with database.read() as session:
            return list(
                session.execute(select(Request.code, Request.subject, Request.status).order_by(Request.code))
            )

    assert made(db) == made(fresh_db)


def test_refusals(ring, db: Database):
    for kwargs in ({"count": 0}, {"count": 10, "messages_per_request": 0.5}, {"count": 10, "years": 0}):
        with pytest.raises(AppError) as bad:
            generate(db, ring=ring, **kwargs)
        assert bad.value.code == "generate_bad_arguments" and bad.value.message and bad.value.message_en
    with db.session() as session:
        session.execute(update(OrgUnit).values(is_active=False))
    with pytest.raises(AppError) as missing:
        generate(db, 10, ring=ring)
    assert missing.value.code == "generate_no_units"
    assert _counts(db)["requests"] == 0


def test_search_phrases_are_in_the_texts_citizens_write():
    from vsscare.core.text import fold
    from vsscare.requests import generate_text as words

    written = " ".join(
        fold(text) for spec in words.TOPICS.values() for case in spec["cases"] for text in case
    ) + " ".join(fold(text) for asks in words.PHRASES["lookup_asks"].values() for text in asks)
    for phrase in words.SEARCH_PHRASES:
        assert fold(phrase) in written, phrase
    chat = words.styled("Cho em hỏi thẻ bảo hiểm y tế hết hạn thì gia hạn ở đâu ạ", "chat")
    assert chat == "cho e hoi the bhyt het han thi gia han o dau a"
