"""A synthetic industry database for demonstrations and benchmarks (``vsscare registry generate``):
people with Vietnamese names, valid identifiers, contribution histories, health cards, benefit
claims and dossiers, drawn from ``random.Random`` and written in bulk (COPY on PostgreSQL)."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

import yaml
from sqlalchemy import func, select

from vsscare.core import audit
from vsscare.core.db import Database
from vsscare.core.errors import AppError, ErrorCode
from vsscare.core.events import Actor
from vsscare.core.paths import DATA_DIR
from vsscare.customers.registry_generate_data import (
    BASE_SALARY,
    BRANDS,
    COLUMNS,
    FACILITIES,
    FORMS,
    JOBS,
    M1995,
    M2008,
    M2009,
    M2015,
    M2022,
    MORE_GIVEN,
    NOTES,
    OLD_PROVINCES,
    PHONE_PREFIXES,
    PLACES,
    PROCEDURES,
    PUBLIC,
    REGION_I,
    SECTORS,
    SETTLING,
    VOLUNTARY_TIMES,
    WAGE,
    nfc_words,
)
from vsscare.customers.registry_models import RegistryDossier, RegistryEmployer, RegistryPerson
from vsscare.requests.generate_text import FAMILY, PHRASES, POPULATION

BATCH = 20_000
MAX_PEOPLE = 20_000_000
GENERATOR = Actor("system", None, "generator")
BAD_ARGUMENTS = ErrorCode(
    "registry_generate_bad_arguments",
    "Tham số sinh cơ sở dữ liệu ngành không hợp lệ: {reason}.",
    "Invalid registry generator arguments: {reason_en}.",
    422,
)
KEY_TAKEN = ErrorCode(
    "registry_generate_key_taken",
    "Cơ sở dữ liệu ngành đã có dữ liệu trùng mã với dữ liệu đang sinh ({reason}); lô đang ghi đã được hủy. "
    "Chỉ sinh thêm vào cơ sở dữ liệu trống hoặc chỉ chứa dữ liệu do lệnh này sinh ra.",
    "The registry already holds a key the generator made ({reason}); the batch was dropped. Generate "
    "only into an empty registry or one filled by this command.",
    409,
)


Rows = dict[str, list[tuple]]


@dataclass
class GenerateReport:
    people: int = 0
    periods: int = 0
    cards: int = 0
    claims: int = 0
    dossiers: int = 0
    employers: int = 0
    seconds: float = 0.0
    first_si_code: str | None = None
    last_si_code: str | None = None

    @property
    def people_per_second(self) -> float:
        return self.people / self.seconds if self.seconds else 0.0


def generate(
    db: Database,
    people: int,
    *,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
) -> GenerateReport:
    """Add ``people`` people (and ``people / 20`` employers) to the registry, as of ``today``.

    The same seed on an empty registry gives the same rows. Running it again adds people after
    those already there: SI codes, employer codes and dossier receipt numbers continue from the
    largest ones found, and the random stream depends on where numbering starts, so newcomers are
    other people. A key clash (rows written by something else) drops that batch and raises
    ``KEY_TAKEN``; batches already written stay."""
    if not 1 <= people <= MAX_PEOPLE:
        raise AppError(BAD_ARGUMENTS, reason=f"số người phải từ 1 đến {MAX_PEOPLE:,}".replace(",", "."),
                       reason_en=f"people must be 1 to {MAX_PEOPLE:,}")  # fmt: skip
    if not 100 <= batch <= 100_000:
        raise AppError(BAD_ARGUMENTS, reason="mỗi lô phải từ 100 đến 100.000 người",
                       reason_en="a batch must be 100 to 100,000 people")  # fmt: skip
    started = time.perf_counter()
    with db.read() as session:
        first = _next(session.scalar(select(func.max(func.substr(RegistryPerson.si_code, 3)))))
        first_dossier = _next(session.scalar(select(func.max(func.substr(RegistryDossier.receipt_code, 7)))))
        last_employer = session.scalar(select(func.max(RegistryEmployer.code)))
    maker = _Maker(random.Random(f"vsscare-registry:{seed}:{first}"), today or date.today(), first_dossier)
    report, writer = GenerateReport(), _Writer(db)
    try:
        employers = maker.employers(max(34, people // 20), last_employer)
        writer.write({"employers": employers})
        report.employers = len(employers)
        for start in range(first, first + people, batch):
            rows = maker.people(start, min(start + batch, first + people))
            writer.write(rows)
            for name in ("people", "periods", "cards", "claims", "dossiers"):
                setattr(report, name, getattr(report, name) + len(rows[name]))
            report.first_si_code = report.first_si_code or rows["people"][0][0]
            report.last_si_code = rows["people"][-1][0]
            if progress is not None:
                progress(len(rows["people"]))
    finally:
        writer.close()
    report.seconds = time.perf_counter() - started
    with db.session() as session:
        details = {"people": report.people, "seed": seed, "first": report.first_si_code,
                   "last": report.last_si_code}  # fmt: skip
        audit.record(session, "registry.generate", GENERATOR, details=details)
    return report


def _next(largest: str | None) -> int:
    return int(largest) + 1 if largest and largest.isdigit() else 0


class _Writer:
    """Each batch in one transaction on a raw driver connection: ``executemany`` on SQLite,
    ``COPY … FROM STDIN`` on PostgreSQL (several times faster than inserts there)."""

    def __init__(self, db: Database) -> None:
        self.sqlite, self.raw = db.is_sqlite, db.engine.raw_connection()
        self.conn: Any = self.raw.driver_connection
        self.integrity = db.engine.dialect.loaded_dbapi.IntegrityError
        if self.sqlite:  # room for the indexes' pages, so inserts into them stay in memory
            self.conn.execute("PRAGMA cache_size = -262144")

    def write(self, rows: Rows) -> None:
        try:
            if self.sqlite:
                self.conn.execute("BEGIN IMMEDIATE")
                for name, batch in rows.items():
                    table, columns = COLUMNS[name]
                    marks = ", ".join("?" * len(columns.split()))
                    self.conn.executemany(
                        f"INSERT INTO {table} ({columns.replace(' ', ', ')}) VALUES ({marks})", batch
                    )
                self.conn.execute("COMMIT")
                return
            with self.conn.cursor() as cursor:
                for name, batch in rows.items():
                    table, columns = COLUMNS[name]
                    with cursor.copy(f"COPY {table} ({columns.replace(' ', ', ')}) FROM STDIN") as copy:
                        for row in batch:
                            copy.write_row(row)
            self.conn.commit()
        except BaseException as exc:
            if not self.sqlite:
                self.conn.rollback()
            elif self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, self.integrity):
                raise AppError(KEY_TAKEN, reason=str(exc).splitlines()[0][:200]) from exc
            raise

    def close(self) -> None:
        self.raw.close()


def _lookup(weights: dict[Any, float], size: int = 4096) -> list[Any]:
    """A table to draw from with ``table[int(random() * len(table))]``: cheaper than bisecting."""
    total, table, acc = sum(weights.values()), [], 0.0
    for key, weight in weights.items():
        acc += weight
        table.extend([key] * (round(acc / total * size) - len(table)))
    return table


def _wage(year: int) -> int:
    points = sorted(WAGE.items())
    if year <= points[0][0]:
        return max(40_000, int(points[0][1] * 0.8 ** (points[0][0] - year)))
    for (y0, w0), (y1, w1) in pairwise(points):
        if year <= y1:
            return int(w0 + (w1 - w0) * (year - y0) / (y1 - y0))
    return points[-1][1]


def _first_day(month: int) -> int:
    """The ordinal of the first day of a month number (year * 12 + month - 1)."""
    return date(month // 12, month % 12 + 1, 1).toordinal()


def _offices() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each province's name ("tỉnh Cao Bằng") and its offices (provincial first), from orgunits.yaml."""
    units = yaml.safe_load((DATA_DIR / "orgunits.yaml").read_text("utf-8"))["units"]
    codes = {u["code"]: str(u["province_code"]) for u in units if u["kind"] == "province"}
    names = {
        codes[u["code"]]: u["name"].removeprefix("Bảo hiểm xã hội ") for u in units if u["code"] in codes
    }
    offices: dict[str, list[str]] = {code: [] for code in names}
    for unit in units:  # the provincial office first: the file lists it before its grassroots offices
        if unit["code"] in codes or (unit["kind"] == "grassroots" and unit.get("parent") in codes):
            offices[codes.get(unit["code"]) or codes[unit["parent"]]].append(unit["name"])
    return names, offices


class _Maker:
    """Draws employers, then people one after another, into rows ready for the driver."""

    def __init__(self, rng: random.Random, today: date, first_dossier: int) -> None:
        self.rng, self.r = rng, rng.random
        self.now, self.day0 = today.year * 12 + today.month - 1, today.toordinal()
        self.dossier_no = first_dossier
        self.names, self.offices = _offices()
        self.provinces = _lookup({code: POPULATION[code] for code in OLD_PROVINCES})
        self.wages = {y: _wage(y) for y in range(1950, today.year + 2)}
        self.families = _lookup(FAMILY)
        self.middle = {g: nfc_words(PHRASES[f"middle_{g}"]) for g in ("male", "female")}
        self.given = {g: nfc_words(PHRASES[f"given_{g}"]) + MORE_GIVEN[g] for g in ("male", "female")}
        self.procedures = _lookup({name: weight for name, (_days, weight) in PROCEDURES.items()}, 512)
        self.facilities = {code: self._facilities(code) for code in OLD_PROVINCES}
        self.employers_in: dict[str, list[tuple[str, bool]]] = {}
        self.all_employers: list[tuple[str, bool]] = []

    def _facilities(self, province: str) -> list[tuple[str, str]]:
        """Primary care facilities of a province (the same whatever the seed): code, name."""
        name, shift = self.names[province], int(province)
        found = [f"Bệnh viện Đa khoa {name}", f"Bệnh viện Y học cổ truyền {name}"]
        for i, place in enumerate(PLACES[shift % 7 :] + PLACES[: shift % 7]):
            found.append(f"{FACILITIES[(i + shift) % len(FACILITIES)]} {place}")
        return [(f"{province}{i + 1:03d}", facility) for i, facility in enumerate(found)]

    def employers(self, count: int, after: str | None) -> list[tuple]:
        """``count`` employers with codes after ``after``: two letters, four digits, a letter."""
        r, rng, rows, forms = self.r, self.rng, [], _lookup(FORMS, 512)
        number = 19 * 26 * 260_000  # "TA0000A"
        if after and re.fullmatch(r"[A-Z]{2}\d{4}[A-Z]", after):
            letters = (ord(after[0]) - 65) * 26 + ord(after[1]) - 65
            number = max(number, letters * 260_000 + int(after[2:6]) * 26 + ord(after[6]) - 65)
        for _ in range(count):
            number += 1 + int(r() * 40)
            letters, rest = divmod(number, 260_000)
            code = f"{chr(65 + letters // 26)}{chr(65 + letters % 26)}{rest // 26:04d}{chr(65 + rest % 26)}"
            province, public = self.provinces[int(r() * 4096)], r() < 0.12
            if public:
                name = f"{rng.choice(PUBLIC)} {rng.choice(PLACES)}"
            else:
                name = f"{forms[int(r() * 512)]} {rng.choice(SECTORS)} {rng.choice(BRANDS)}"
                if r() < 0.3:
                    name += " " + self.names[province].removeprefix("thành phố ").removeprefix("tỉnh ")
            rows.append((code, name, f"{rng.randrange(10**9, 10**10)}", province))
            self.employers_in.setdefault(province, []).append((code, public))
            self.all_employers.append((code, public))
        return rows

    def people(self, first: int, end: int) -> Rows:
        rows: Rows = {"people": [], "periods": [], "cards": [], "claims": [], "dossiers": []}
        for number in range(first, end):
            self.person(number, rows)
        return rows

    def person(self, number: int, rows: Rows) -> None:
        r = self.r
        province = self.provinces[int(r() * 4096)]
        si, female = f"{province}{number:08d}", r() < 0.5
        offices = self.offices[province]
        office = offices[0] if r() < 0.4 else offices[int(r() * len(offices))]
        x = r()  # compulsory 75 %, voluntary 10 %, pensioners 12 %, one-time payments 3 %
        if x < 0.75:
            born, status, card, dossier = self._worker(rows, si, province, female, office)
        elif x < 0.85:
            born, status, card, dossier = self._voluntary_life(rows, si, province)
        elif x < 0.97:
            born, status, card, dossier = self._pensioner(rows, si, province, female, office)
        else:
            born, status, card, dossier = self._lump_sum(rows, si, province, office)
        if card is not None:
            self._card(rows, si, province, *card)
        if dossier is not None or r() < 0.08:  # (procedure, day received) or any procedure lately
            self._dossier(rows, si, province, office, *(dossier or (None, None)))
        birth = f"{born // 12:04d}-{born % 12 + 1:02d}-{1 + int(r() * 28):02d}"
        cccd = self._cccd(number, province, born // 12, female)
        phone = f"+84{PHONE_PREFIXES[int(r() * len(PHONE_PREFIXES))]}{int(r() * 1e7):07d}"
        phone = phone if r() < (0.75 if 0.85 <= x < 0.97 else 0.93) else None
        gender = "female" if female else "male"
        rows["people"].append((si, self._name(female), birth, gender, cccd, province, phone, status))

    def _worker(self, rows: Rows, si: str, province: str, female: bool, office: str) -> tuple:
        """Compulsory: one to four employers up to now (80 %) or a while ago; short-term benefits."""
        r, now, day0 = self.r, self.now, self.day0
        age = int(self.rng.triangular(18 * 12, (57 if female else 60) * 12, 32 * 12))
        born = now - age
        start = min(now, max(born + 18 * 12 + int(r() * r() * 120), M1995))
        end = now if r() < 0.8 else now - 1 - int(r() * r() * 48)
        end = now if end < start else end
        jobs = min(JOBS[int(r() * 100)], 1 + (end - start) // 24)
        salary, public = self._career(rows, si, province, start, end, jobs)
        if end < now:
            y, dossier = r(), None
            card = ("GD", 4) if y < 0.55 else ("HN", 2) if y < 0.65 else ("CN", 3) if y < 0.7 else None
            if now - end <= 36 and r() < 0.2:
                amount = int(0.6 * salary) // 1000 * 1000 * (3 + int(r() * 10))
                filed = min(day0, _first_day(end + 1) + int(r() * 60))
                self._claim(rows, si, "unemployment", filed, amount, office)
                dossier = ("Hưởng trợ cấp thất nghiệp", filed) if r() < 0.3 else None
            return born, "paused", card, dossier
        since = max(_first_day(start), day0 - 900)
        for kind, odds, amount in (
            ("maternity", 0.06 if female and age < 40 * 12 else 0, 6 * salary + 2 * BASE_SALARY),
            ("sickness", 0.03, int(salary * 0.75 / 24 * (2 + int(r() * 14))) // 1000 * 1000),
            ("accident", 0.004, (5 + int(r() * 25)) * BASE_SALARY),
        ):
            if r() < odds:
                self._claim(rows, si, kind, since + int(r() * (day0 - since)), amount, office)
        return born, "active", ("HC" if public else "DN", 4), None

    def _voluntary_life(self, rows: Rows, si: str, province: str) -> tuple:
        """Voluntary, often with gaps; a third of them had a compulsory job or two first."""
        r, now = self.r, self.now
        born = now - int(self.rng.triangular(22 * 12, 60 * 12, 45 * 12))
        start = min(now, max(born + 18 * 12 + int(r() * r() * 120), M1995))
        if r() < 0.3 and start < now - 36:
            end = min(now - 13, start + 12 + int(r() * 120))
            self._career(rows, si, province, start, end, 1 + int(r() * 2))
            start = end + 1 + int(r() * 24)
        start = min(now, max(start, M2008))
        end = now if r() < 0.6 else now - 1 - int(r() * 36)
        end = now if end < start else end
        self._voluntary(rows, si, start, end, 1 + int(r() * 3))
        y = r()
        card = ("GD", 4) if y < 0.7 else ("HN", 2) if y < 0.78 else ("CN", 3) if y < 0.86 else None
        return born, ("active" if end >= now else "paused"), card, None

    def _pensioner(self, rows: Rows, si: str, province: str, female: bool, office: str) -> tuple:
        """20 to 35 years up to the retirement age of their year (raised from 2021), then a pension."""
        r, day0 = self.r, self.day0
        retired = self.now - 1 - int(r() ** 1.3 * 300)
        late = max(0, retired // 12 - 2020)
        born = retired - (55 * 12 + min(60, 4 * late) if female else 60 * 12 + min(24, 3 * late))
        start = max(retired - (20 + int(r() * r() * 16)) * 12, born + 18 * 12)
        tail = retired - 13 - int(r() * 48) if r() < 0.15 else retired  # the last years voluntary
        tail = tail if tail > start and tail >= M2008 else retired
        salary, _public = self._career(rows, si, province, start, tail - 1, JOBS[int(r() * 100)])
        if tail < retired:
            salary = self._voluntary(rows, si, tail, retired - 1, 1)
        rate = min(0.75, 0.45 + 0.02 * max(0, (retired - start) // 12 - (15 if female else 20)))
        filed = _first_day(retired) - int(r() * 45)
        paid = self._claim(rows, si, "pension", filed, int(salary * 0.9 * rate) // 1000 * 1000, office)
        card: tuple | None = ("HT", 3) if r() < 0.97 else None
        if r() < 0.03:  # died since: the survivors' claim, and no card any more
            died = filed + 60 + int(r() * max(1, day0 - filed - 60))
            self._claim(rows, si, "survivor", died, 10 * BASE_SALARY, office)
            card = None
        status = "closed" if paid in ("paid", "approved") else "paused"
        return born, status, card, ("Hưởng lương hưu", filed) if day0 - filed < 540 and r() < 0.5 else None

    def _lump_sum(self, rows: Rows, si: str, province: str, office: str) -> tuple:
        """A few years' work, then (a year or more later) a one-time payment settles the book."""
        r, now = self.r, self.now
        filed = now - int(r() * 60)
        end = filed - 12 - int(r() * 12)
        born = filed - (22 + int(r() * 25)) * 12 - int(r() * 12)
        start = min(end, max(end - 12 - int(r() * r() * 130), born + 18 * 12, M1995))
        salary, _public = self._career(rows, si, province, start, end, 1 + int(r() * 2))
        amount = int((end - start + 1) / 12 * 1.75 * salary) // 1000 * 1000
        day = min(self.day0, _first_day(filed) + int(r() * 28))
        paid = self._claim(rows, si, "lump_sum", day, amount, office)
        status, card = (
            "closed" if paid in ("paid", "approved") else "paused",
            ("GD", 4) if r() < 0.5 else None,
        )
        dossier = ("Giải quyết hưởng BHXH một lần", day) if self.day0 - day < 540 and r() < 0.6 else None
        return born, status, card, dossier

    def _name(self, female: bool) -> str:
        r, key = self.r, "female" if female else "male"
        middle, given = self.middle[key], self.given[key]
        family = self.families[int(r() * 4096)]
        first, name = middle[int(r() * len(middle))], given[int(r() * len(given))]
        if first in (name, family):
            first = "Thị" if female else "Văn"
        if r() < (0.15 if female else 0.07):  # "Nguyễn Thị Thu Hà"
            second = middle[int(r() * len(middle))]
            first = first if second in (first, name, family) else f"{first} {second}"
        return f"{family} {first} {name}"

    def _cccd(self, number: int, province: str, year: int, female: bool) -> str | None:
        r = self.r
        if r() > (0.75 if year < 1950 else 0.96):  # older records were never linked to a CCCD
            return None
        olds = OLD_PROVINCES[province if r() < 0.8 else self.provinces[int(r() * 4096)]].split()
        serial = (number * 738_163 + 271_828) % 1_000_000  # a permutation: the first million never clash
        return f"{olds[int(r() * len(olds))]}{(year // 100 - 19) * 2 + female}{year % 100:02d}{serial:06d}"

    def _spans(self, start: int, end: int, count: int, gap: int) -> list[tuple[int, int]]:
        """Up to ``count`` runs of months from ``start`` to exactly ``end``, often with gaps between."""
        r, spans, month = self.r, [], start
        for left in range(count, 0, -1):
            if spans and r() < 0.65:
                month += 1 + int(r() * r() * gap)
            if month > end:
                break
            share = max(6, int((end - month + 1) / left * (0.5 + r())))
            last = end if left == 1 else min(end, month + share - 1)
            spans.append((month, last))
            month = last + 1
        return spans

    def _career(
        self, rows: Rows, si: str, province: str, start: int, end: int, jobs: int
    ) -> tuple[int, bool]:
        """Compulsory periods under ``jobs`` employers, with raises; the last salary and employer kind."""
        r, out = self.r, rows["periods"]
        local = self.employers_in.get(province) or self.all_employers
        factor, region = 1 + 4 * r() ** 3, 1.0 if province in REGION_I else 0.8
        salary, public, step = 0, False, 0
        for first, last in self._spans(start, end, jobs, 30):
            pool = local if r() < 0.85 else self.all_employers
            code, public = pool[int(r() * len(pool))]
            a = first
            while a <= last:  # a raise every three to eight years, never below the minimum wage
                b = last if last - a < 96 else a + 35 + int(r() * 60)
                salary = int(min(7.5, factor * 1.04**step) * self.wages[b // 12] * region) // 1000 * 1000
                step += 1
                unemployment = a >= M2009 and not (public and a < M2015)  # civil servants from 2015
                out.append((si, a // 12 * 100 + a % 12 + 1, b // 12 * 100 + b % 12 + 1, "compulsory", code,
                            salary, unemployment))  # fmt: skip
                a = b + 1
        return salary, public

    def _voluntary(self, rows: Rows, si: str, start: int, end: int, segments: int) -> int:
        """Voluntary periods at a chosen income (a multiple of the poverty line of the time)."""
        r, income = self.r, 0
        for first, last in self._spans(start, end, segments, 30):
            times = VOLUNTARY_TIMES[int(r() * len(VOLUNTARY_TIMES))]
            cuts = ((first, M2022 - 1), (M2022, last)) if first < M2022 <= last else ((first, last),)
            for a, b in cuts:  # the poverty line went from 700,000 to 1,500,000 VND in 2022
                income = int((1_500_000 if a >= M2022 else 700_000) * times) // 50_000 * 50_000
                rows["periods"].append((si, a // 12 * 100 + a % 12 + 1, b // 12 * 100 + b % 12 + 1,
                                        "voluntary", None, income, False))  # fmt: skip
        return income

    def _claim(self, rows: Rows, si: str, kind: str, filed: int, amount: int, office: str) -> str:
        """A claim filed on day ``filed`` (an ordinal): decided and paid unless it is recent."""
        r, age = self.r, self.day0 - filed
        decided: int | None = min(self.day0, filed + 5 + int(r() * 20))
        if age < 7 or (age < 25 and r() < 0.7):
            status, decided = ("received" if age < 7 else "processing"), None
        elif age < 40 and r() < 0.5:
            status = "approved"
        else:
            status = "rejected" if kind not in SETTLING and r() < 0.04 else "paid"
        shown = amount if status in ("approved", "paid") else None
        on = date.fromordinal(decided).isoformat() if decided is not None else None
        rows["claims"].append((si, kind, status, shown, date.fromordinal(filed).isoformat(), on, office))
        return status

    def _card(self, rows: Rows, si: str, province: str, group: str, level: int) -> None:
        r, day0, x = self.r, self.day0, self.r()  # 5 % expired, 8 % expiring within 30 days
        days = -1 - int(r() * 365) if x < 0.05 else int(r() * 31) if x < 0.13 else 31 + int(r() * 335)
        to = day0 + days
        since = to - (5 if group == "HT" else 1) * 365 + 1
        facilities = self.facilities[province]
        code, name = facilities[int(r() * r() * len(facilities))]  # the hospitals are chosen most
        rows["cards"].append((si, f"{group}{level}{province}{si}", date.fromordinal(since).isoformat(),
                              date.fromordinal(to).isoformat(), code, name, level))  # fmt: skip

    def _dossier(
        self, rows: Rows, si: str, province: str, office: str, procedure: str | None, day: int | None
    ) -> None:
        r, day0 = self.r, self.day0
        procedure = procedure or self.procedures[int(r() * len(self.procedures))]
        days = PROCEDURES[procedure][0]
        received = day if day is not None else day0 - int(r() ** 2 * 540)
        due, x = received + days + days * 2 // 5, r()  # working days, with the week-ends between
        if day0 - received < 2:
            status = "received"
        elif due < day0:
            status = (
                "done"
                if x < 0.86
                else "returned"
                if x < 0.91
                else "additional_info"
                if x < 0.95
                else "processing"
            )
        else:
            status = "processing" if x < 0.55 else "received" if x < 0.75 else "additional_info"
        notes, received_on = NOTES.get(status), date.fromordinal(received)
        code = f"{province}{received_on.year}{self.dossier_no:08d}"
        self.dossier_no += 1
        rows["dossiers"].append((code, si, procedure, status, received_on.isoformat(),
                                 date.fromordinal(due).isoformat(), office,
                                 notes[int(r() * len(notes))] if notes else None))  # fmt: skip
