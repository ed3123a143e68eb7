"""Many realistic requests, quickly: for demonstrations and benchmarks (``vsscare demo generate``).

Requests arrive over the last ``years`` as they do in Vietnam: mostly in office hours on working
days, by phone above all, then Zalo, Facebook, the web and e-mail; about health insurance more
than anything; from provinces in proportion to their population; from a pool of customers (one
for about three requests) who come back on other channels. Each request then lives its life up
to today (:mod:`vsscare.requests.generate_story`): old ones are closed, recent ones open, with
the messages, events, transfers, escalations, SLA marks and jobs that life leaves behind.

Everything is drawn from ``random.Random(seed)``: the same seed on an empty database gives the
same codes and texts. Rows go in with SQLAlchemy Core ``executemany``, ``batch`` requests per
transaction, not through the per-request actions. Ids come from each table's sequence on
PostgreSQL and after its largest id on SQLite (under the write lock); codes are reserved from
the yearly counters when the run starts. Running it again, or while people work, adds requests
and never reuses a code (an interrupted run leaves its unused numbers unused); a request created
afterwards gets the next code.
"""

from __future__ import annotations

import multiprocessing
import random
import time
import traceback
from bisect import bisect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from vsscare.core import audit
from vsscare.core.crypto import Keyring
from vsscare.core.db import Database, utcnow
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import EventRecord
from vsscare.core.jobs import Job
from vsscare.core.text import fold
from vsscare.orgunits.calendar import VN_TZ, BusinessCalendar
from vsscare.requests import contact
from vsscare.requests import generate_store as store
from vsscare.requests import generate_text as words
from vsscare.requests.generate_story import Story
from vsscare.requests.generate_world import GENERATOR, Customer, Rows, World, load_world, request_row
from vsscare.requests.models import (
    TYPES,
    Request,
    RequestEscalation,
    RequestMessage,
    RequestSearch,
    RequestTransfer,
)

BATCH = 5_000
MAX_REQUESTS = 20_000_000
BAD_ARGUMENTS = ErrorCode(
    "generate_bad_arguments",
    "Tham số sinh dữ liệu không hợp lệ: {reason}.",
    "Invalid generator arguments: {reason_en}.",
    422,
)
CHANNEL_SHARE = {
    "phone": 45,
    "zalo": 20,
    "facebook": 10,
    "web": 8,
    "form": 7,
    "email": 7,
    "walk_in": 2,
    "letter": 1,
}
OFF_HOURS_SHARE = {"zalo": 40, "facebook": 22, "web": 13, "form": 10, "email": 15}  # no switchboard at night
TYPE_SHARE = {"question": 70, "lookup": 12, "complaint": 6, "recommendation": 4, "feedback": 8}
PRIORITY_SHARE = {"low": 8, "normal": 77, "high": 12, "urgent": 3}
COMPLAINT_PRIORITY = {"normal": 60, "high": 35, "urgent": 5}
# Arrivals by local hour (switchboard hours, lunch, evenings on chat) and by month (Tết, year ends).
HOURLY = (0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 0.8, 3, 6, 7, 7, 5, 2, 5, 6.5, 6, 4, 1.5, 1.2, 1.5, 1.8, 1.6, 1, 0.6)
MONTHLY = (1.15, 0.8, 1.05, 1, 1, 1, 1.1, 1.05, 1, 1, 1, 1.1)
PHONE_PREFIXES = ("90", "91", "93", "94", "96", "97", "98", "32", "33", "34", "35", "36", "37", "38", "39")
TAGS = ("vssid", "can-bo-sung", "goi-lai", "dich-vu-cong", "nguoi-cao-tuoi")
# What people leave on each channel: odds of a name, a phone number, an e-mail address.
CONTACT = {
    "phone": (0.7, 1, 0), "zalo": (0.8, 0.6, 0), "facebook": (1, 0.25, 0), "web": (0.8, 0.7, 0.3),
    "form": (1, 1, 0.6), "email": (0.9, 0.3, 1), "walk_in": (1, 0.9, 0), "letter": (1, 0.6, 0),
}  # fmt: skip
TABLES = (
    ("requests", Request), ("search", RequestSearch), ("messages", RequestMessage),
    ("transfers", RequestTransfer), ("escalations", RequestEscalation), ("events", EventRecord),
    ("jobs", Job),
)  # fmt: skip


class Weighted:
    """Draws keys in proportion to their weights."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.keys = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def __call__(self, rng: random.Random) -> str:
        return self.keys[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass
class Report:
    requests: int = 0
    messages: int = 0
    events: int = 0
    transfers: int = 0
    escalations: int = 0
    jobs: int = 0
    agents_created: int = 0
    first_code: str | None = None
    last_code: str | None = None
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        """Rows written: a request is two (itself and its search text)."""
        return 2 * self.requests + self.messages + self.events + self.transfers + self.escalations + self.jobs

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def add(self, batch: _Batch) -> None:
        for name in ("requests", "messages", "events", "transfers", "escalations", "jobs"):
            setattr(self, name, getattr(self, name) + len(batch.rows.get(name, ())))
        self.first_code = self.first_code or batch.first_code
        self.last_code = batch.last_code


@dataclass
class _Batch:
    """One transaction's rows, ready for the driver, with the first id they use in each table."""

    rows: store.Shaped
    firsts: dict[str, int]
    first_code: str
    last_code: str


class _Failed(Exception):
    """The process making rows failed: its traceback, as text."""


def generate(
    db: Database,
    count: int,
    *,
    ring: Keyring,
    messages_per_request: float = 5.0,
    seed: int = 1,
    years: float = 2.0,
    now: datetime | None = None,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
    processes: bool = True,
) -> Report:
    """Add ``count`` requests that arrived over the ``years`` before ``now``, with about
    ``messages_per_request`` messages each (at least what their story needs).

    With ``processes`` and more than one batch, rows are made in a second process while this
    one writes the previous batch: Python and the database each keep a core busy."""
    _check(count, messages_per_request, years, batch)
    started = time.perf_counter()
    now = (now or utcnow()).astimezone(UTC).replace(microsecond=0)
    report = Report()
    with db.session() as session:
        world, report.agents_created = load_world(session, now)
    rng = random.Random(seed)
    arrivals = _arrivals(rng, world.calendars[world.ccc.id], count, now - timedelta(days=365.25 * years), now)
    with db.engine.begin() as conn:
        numbers = store.reserve_codes(conn, arrivals)
        after = store.largest_ids(conn) if db.is_sqlite else None
    shape = store.Shape(db.engine.dialect, {name: model.__table__ for name, model in TABLES})
    maker = _Maker(world, rng, seed, count, messages_per_request, arrivals, ring)
    ids = store.Ids(after=after) if db.is_sqlite else store.Ids(url=db.url)
    made = _batches(maker, arrivals, numbers, batch, shape, ids)
    with (
        _in_child(made) if processes and count > batch else _here(made, ids) as source,
        db.engine.connect() as conn,
    ):
        if db.is_sqlite:  # room for the indexes' pages: inserts into fourteen of them stay in memory
            conn.exec_driver_sql("PRAGMA cache_size = -262144")
            conn.commit()
        for item in source:
            with conn.begin():
                store.write(conn, shape, item.rows, item.firsts if db.is_sqlite else None)
            report.add(item)
            if progress is not None:
                progress(len(item.rows["requests"]))
    report.seconds = time.perf_counter() - started
    with db.session() as session:
        details = {"requests": report.requests, "messages": report.messages, "seed": seed,
                   "first": report.first_code, "last": report.last_code}  # fmt: skip
        audit.record(session, "requests.generate", GENERATOR, details=details)
    return report


def _batches(
    maker: _Maker, arrivals: list[int], numbers: dict[int, int], size: int, shape: store.Shape, ids: store.Ids
) -> Iterator[_Batch]:
    following = dict(numbers)
    for start in range(0, len(arrivals), size):
        rows = Rows()
        ids.firsts = {}
        for moment in arrivals[start : start + size]:
            year = store.year_of(moment)
            maker.make(moment, f"YC-{year}-{following[year]:06d}", ids.take, rows)
            following[year] += 1
        shaped = {name: shape(name, getattr(rows, name)) for name, _model in TABLES}
        yield _Batch(shaped, ids.firsts, rows.requests[0]["code"], rows.requests[-1]["code"])


@contextmanager
def _here(made: Iterator[_Batch], ids: store.Ids) -> Iterator[Iterator[_Batch]]:
    try:
        yield made
    finally:
        ids.close()


@contextmanager
def _in_child(made: Iterator[_Batch]) -> Iterator[Iterator[_Batch]]:
    """The batches, made by a forked process two batches ahead of the writer."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=2)
    child = context.Process(target=_make_into, args=(made, queue), daemon=True)
    child.start()

    def received() -> Iterator[_Batch]:
        while (item := queue.get()) is not None:
            if isinstance(item, _Failed):
                raise item
            yield item

    try:
        yield received()
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def _make_into(made: Iterator[_Batch], queue: Any) -> None:
    try:
        for item in made:
            queue.put(item)
        queue.put(None)
    except BaseException:  # the writer must hear of it, or it would wait for ever
        queue.put(_Failed(traceback.format_exc()))


def _check(count: int, messages: float, years: float, batch: int) -> None:
    for ok, reason, reason_en in (
        (1 <= count <= MAX_REQUESTS, f"số yêu cầu phải từ 1 đến {MAX_REQUESTS:,}".replace(",", "."),
         f"requests must be 1 to {MAX_REQUESTS:,}"),
        (1 <= messages <= 50, "số tin nhắn trung bình mỗi yêu cầu phải từ 1 đến 50",
         "messages per request must be 1 to 50"),
        (0.1 <= years <= 10, "số năm phải từ 0,1 đến 10", "years must be 0.1 to 10"),
        (100 <= batch <= 50_000, "mỗi lô phải từ 100 đến 50.000 yêu cầu",
         "a batch must be 100 to 50,000 requests"),
    ):  # fmt: skip
        if not ok:
            raise AppError(BAD_ARGUMENTS, reason=reason, reason_en=reason_en)


def _arrivals(
    rng: random.Random, cal: BusinessCalendar, count: int, start: datetime, end: datetime
) -> list[int]:
    """Sorted arrival times (epoch seconds): working days busier than week-ends and holidays,
    office hours busier than nights, and each month a little busier than a year before."""
    first, last = start.astimezone(VN_TZ).date(), end.astimezone(VN_TZ).date()
    span = max(1, (last - first).days)
    midnights, weights = [], []
    day = first
    while day <= last:
        weight = 1.0 if cal.is_working_day(day) else {5: 0.3, 6: 0.2}.get(day.weekday(), 0.15)
        weights.append(weight * MONTHLY[day.month - 1] * (1 + 0.35 * (day - first).days / span))
        midnights.append(datetime(day.year, day.month, day.day, tzinfo=VN_TZ).timestamp())
        day += timedelta(days=1)
    days, hours = list(accumulate(weights)), list(accumulate(HOURLY))
    low, high = start.timestamp(), end.timestamp()
    found: list[int] = []
    while len(found) < count:
        moment = (
            midnights[bisect(days, rng.random() * days[-1])]
            + 3600 * bisect(hours, rng.random() * hours[-1])
            + rng.random() * 3600
        )
        if low <= moment <= high:
            found.append(int(moment))
    found.sort()
    return found


class _Maker:
    """Draws one request after another (who, how, about what), then tells its story."""

    def __init__(
        self, world: World, rng: random.Random, seed: int, count: int, messages: float, arrivals: list[int],
        ring: Keyring,
    ) -> None:  # fmt: skip
        self.world, self.rng, self.seed, self.messages, self.ring = world, rng, seed, messages, ring
        self.national = world.calendars[world.ccc.id]
        self.pool = max(1, count // 3)
        # Channels at night are chat and mail: office hours take the rest of each channel's share.
        sample = arrivals[:: max(1, count // 2000)]
        share = max(
            0.05, sum(self.national.is_open(datetime.fromtimestamp(t, UTC)) for t in sample) / len(sample)
        )
        off = {c: OFF_HOURS_SHARE.get(c, 0) / 100 * (1 - share) for c in CHANNEL_SHARE}
        self.in_hours = Weighted(
            {c: max(0.0, CHANNEL_SHARE[c] / 100 - off[c]) / share for c in CHANNEL_SHARE}
        )
        self.off_hours = Weighted(OFF_HOURS_SHARE)
        self.types = Weighted(TYPE_SHARE)
        question_topics = {topic: spec["weight"] for topic, spec in words.TOPICS.items()}
        self.topics = {t: Weighted(words.TYPE_TOPICS.get(t, question_topics)) for t in TYPES}
        self.priorities, self.complaint_priorities = Weighted(PRIORITY_SHARE), Weighted(COMPLAINT_PRIORITY)
        self.provinces = Weighted({code: words.POPULATION.get(code, 1.5) for code in world.provinces})
        self.families, self.domains = Weighted(words.FAMILY), Weighted(words.MAIL_DOMAINS)
        self.made = self.done = 0

    def customer(self, number: int) -> Customer:
        """Customer ``number`` of the pool: the same person every time (their own random stream)."""
        rng = random.Random(self.seed * 1_000_000_007 + number)
        female = rng.random() < 0.5
        family = self.families(rng)
        middle = rng.choice(words.PHRASES["middle_female" if female else "middle_male"])
        given = rng.choice(words.PHRASES["given_female" if female else "given_male"])
        born = int(rng.triangular(1950, 2006, 1988))
        title = ("bà" if female else "ông") if born < 1968 else ("chị" if female else "anh")
        province = self.provinces(rng)
        phone = f"+84{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**7):07d}"
        email = (
            f"{fold(given + family).replace(' ', '')}{born % 100:02d}{rng.randrange(100)}@{self.domains(rng)}"
        )
        customer_id = (self.seed % 1000 + 1) * 10**9 + number if rng.random() < 0.75 else None
        return Customer(
            customer_id, f"{family} {middle} {given}", given, title, phone, email, province,
            f"{province}{rng.randrange(10**8):08d}", str(rng.randrange(10**15, 10**16)),
        )  # fmt: skip

    def make(self, moment: int, code: str, take: Callable[[str], int], rows: Rows) -> None:
        rng, world = self.rng, self.world
        created = datetime.fromtimestamp(moment, UTC)
        channel = (self.in_hours if self.national.is_open(created) else self.off_hours)(rng)
        kind = self.types(rng)
        topic = self.topics[kind](rng)
        priority = (self.complaint_priorities if kind == "complaint" else self.priorities)(rng)
        number = rng.randrange(self.pool) if rng.random() < 0.7 else rng.randrange(max(1, self.pool // 20))
        who = self.customer(number)
        office = world.provinces[who.province]
        team = office if channel in ("walk_in", "letter") or rng.random() < 0.15 else world.ccc
        lang = "en" if channel not in ("phone", "walk_in", "letter") and rng.random() < 0.006 else "vi"
        local = created.astimezone(VN_TZ)
        conversation = words.Conversation(
            rng, kind=kind, topic=topic, channel=channel, lang=lang, name=who.name, given=who.given,
            title=who.title, place=office.place, ssn=who.ssn, phone=who.phone, year=local.year,
            month=local.month,
        )  # fmt: skip
        subject, body = conversation.first()
        name_odds, phone_odds, email_odds = CONTACT[channel]
        identified = channel in ("phone", "walk_in", "letter", "form") or rng.random() < 0.5
        r = request_row(
            id=take("requests"), code=code, channel=channel, type=kind, topic=topic, priority=priority,
            lang=lang, province_code=who.province, team_unit_id=team.id, created_at=created,
            last_customer_at=created, customer_id=who.customer_id if identified else None,
            contact_name=who.name if rng.random() < name_odds else None,
            **contact.protected(self.ring, who.phone if rng.random() < phone_odds else None),
            contact_email=who.email if rng.random() < email_odds else None,
            external_ref=f"{channel}:{who.handle}" if channel in ("zalo", "facebook") else None,
            tags=[rng.choice(TAGS)] if rng.random() < 0.12 else [],
        )  # fmt: skip
        # Back-and-forth turns (two messages each) keep the run's average on target.
        wanted = (self.done + 1) * self.messages - self.made - 3.5
        mean = min(3 * self.messages, max(0.0, wanted / 2.2))
        turns = int(rng.expovariate(1 / mean) + 0.5) if mean > 0.05 else 0
        story = Story(world, rng, take, rows, r, team, turns)
        story.tell(subject, body, conversation)
        story.finish()
        self.made += story.messages
        self.done += 1


database_size = store.database_size
