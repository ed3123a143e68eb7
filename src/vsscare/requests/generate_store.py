"""How generated rows reach the database: ids, codes, and one ``executemany`` per table.

Statements are SQLAlchemy Core ``insert()`` compiled once per table for the database's dialect
(positional parameters). Rows are turned into tuples of the values the column types would bind
(SQLite: UTC times as SQLAlchemy's text and JSON as text; PostgreSQL: aware times and JSON text
cast by the statement) where they are made, so they travel cheaply between processes and the
writer only hands them to the driver: letting SQLAlchemy process every bound value of millions
of rows costs more than the database's own work.

Ids come from each table's sequence on PostgreSQL (blocks of ``nextval``, safe beside other
writers) and after each table's largest id on SQLite, where the writer checks under its write
lock, batch by batch, that nobody else took them meanwhile.
"""

from __future__ import annotations

import json
import operator
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, Table, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from vsscare.core.db import Database, UTCDateTime
from vsscare.core.errors import AppError, ErrorCode
from vsscare.requests.models import RequestCounter

ID_TABLES = ("requests", "request_messages", "events", "request_transfers", "request_escalations")
IDS_TAKEN = ErrorCode(
    "generate_concurrent_writer",
    "Một tiến trình khác vừa ghi vào bảng {table} trong lúc sinh dữ liệu; lô đang ghi đã được hủy. "
    "Hãy chạy lại khi không có ai ghi vào cơ sở dữ liệu SQLite.",
    "Another process wrote to {table} while generating; the batch being written was dropped. Run it "
    "again while nobody writes to the SQLite database.",
    409,
)
Shaped = dict[str, list[tuple]]  # table name → rows as the driver takes them


def year_of(moment: int) -> int:
    """The year in Vietnam of an epoch second (no summer time there)."""
    return time.gmtime(moment + 7 * 3600).tm_year


def reserve_codes(conn: Connection, moments: Sequence[int]) -> dict[int, int]:
    """Numbers for requests arriving at ``moments``, taken from each year's counter now: the
    first number of each year. Codes are ``YC-<year>-<number>``, as actions.create gives them."""
    counts = Counter(year_of(m) for m in moments)
    return {year: _reserve(conn, year, n) for year, n in sorted(counts.items())}


def _reserve(conn: Connection, year: int, count: int) -> int:
    """The first of ``count`` numbers taken from the year's counter (under its row lock)."""
    table = RequestCounter.__table__
    bump = (
        update(table).where(table.c.year == year).values(value=table.c.value + count).returning(table.c.value)
    )
    last = conn.execute(bump).scalar()
    if last is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(table).values(year=year, value=count))
            last = count
        except IntegrityError:  # a request took the year's first number meanwhile
            last = conn.execute(bump).scalar_one()
    return last - count + 1


def largest_ids(conn: Connection) -> dict[str, int]:
    return {t: conn.scalar(text(f"SELECT coalesce(max(id), 0) FROM {t}")) or 0 for t in ID_TABLES}


class Ids:
    """``take(table)``: the next id. ``url`` (PostgreSQL) opens a connection of its own for the
    sequences; ``after`` (SQLite) gives the largest id of each table when the run started."""

    BLOCK = 10_000  # the most ids asked of a sequence at once; the first asks are smaller

    def __init__(self, *, url: str | None = None, after: dict[str, int] | None = None) -> None:
        self.db = Database(url) if url else None
        self.next = {t: v + 1 for t, v in (after or {}).items()}
        self.free: dict[str, list[int]] = {t: [] for t in ID_TABLES}
        self.block = dict.fromkeys(ID_TABLES, 250)
        self.firsts: dict[str, int] = {}  # the first id taken from each table since the caller reset it

    def take(self, table: str) -> int:
        if self.db is None:
            value = self.next[table]
            self.next[table] = value + 1
        else:
            if not self.free[table]:
                self._refill(table)
            value = self.free[table].pop()
        if table not in self.firsts:
            self.firsts[table] = value
        return value

    def _refill(self, table: str) -> None:
        assert self.db is not None
        self.block[table] = min(self.BLOCK, self.block[table] * 4)
        stmt = text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)")
        with self.db.engine.connect() as conn:
            self.free[table].extend(reversed(conn.scalars(stmt, {"n": self.block[table]}).all()))
            conn.commit()

    def close(self) -> None:
        if self.db is not None:
            self.db.dispose()


class Shape:
    """The insert statement of each table and how to turn a row (a dict) into its parameters."""

    def __init__(self, dialect: Any, tables: dict[str, Table]) -> None:
        self.sqlite = dialect.name == "sqlite"
        positional = type(dialect)(paramstyle="qmark" if self.sqlite else "format")
        self.tables = tables
        self.sql: dict[str, str] = {}
        self._get: dict[str, Callable[[dict], tuple]] = {}
        self._convert: dict[str, list[tuple[int, Callable]]] = {}
        for name, table in tables.items():
            keys = [c.name for c in table.columns if not (name == "jobs" and c.name == "id")]
            compiled = insert(table).compile(dialect=positional, column_keys=keys)
            order = list(compiled.positiontup or ())
            self.sql[name] = compiled.string
            self._get[name] = operator.itemgetter(*order)
            found = ((i, self._converter(table.c[k].type)) for i, k in enumerate(order))
            self._convert[name] = [(i, c) for i, c in found if c is not None]

    def _converter(self, type_: Any) -> Callable | None:
        if isinstance(type_, UTCDateTime):
            return _sqlite_time if self.sqlite else None
        if isinstance(type_, JSON):
            return json.dumps
        return None

    def __call__(self, name: str, rows: list[dict[str, Any]]) -> list[tuple]:
        get, convert = self._get[name], self._convert[name]
        if not convert:
            return [get(row) for row in rows]
        shaped = []
        for row in rows:
            values = list(get(row))
            for i, c in convert:
                if values[i] is not None:
                    values[i] = c(values[i])
            shaped.append(tuple(values))
        return shaped


def _sqlite_time(moment: datetime) -> str:
    """ "2026-01-05 02:00:03.000000": what SQLAlchemy's SQLite DATETIME stores (UTC, no zone)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(" ", "microseconds")[:26]


def write(conn: Connection, shape: Shape, batch: Shaped, firsts: dict[str, int] | None) -> None:
    """Insert one batch (inside the caller's transaction). ``firsts`` (SQLite): the smallest id
    the batch uses in each table, which must still be free."""
    if firsts:
        for table, largest in largest_ids(conn).items():
            if table in firsts and largest >= firsts[table]:
                raise AppError(IDS_TAKEN, table=table)
    for name in shape.tables:
        if batch.get(name):
            conn.exec_driver_sql(shape.sql[name], batch[name])


def database_size(db: Database) -> int:
    """Bytes the database takes on disk (SQLite: the file and its write-ahead log)."""
    if db.is_sqlite:
        path = Path(db.engine.url.database or "")
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    with db.read() as session:
        return int(session.scalar(select(func.pg_database_size(func.current_database()))) or 0)
