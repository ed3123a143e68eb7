"""The synthetic industry database: generated deterministically with valid identifiers and a
realistic mix, read back consistently by ``EmbeddedRegistry``, and shown by the CLI."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select, text

from vsscare.core.db import Database
from vsscare.core.errors import AppError
from vsscare.customers import identifiers
from vsscare.customers.registry_embedded import EmbeddedRegistry
from vsscare.customers.registry_generate import generate
from vsscare.customers.registry_models import RegistryCard, RegistryClaim, RegistryDossier, RegistryPerson

TODAY = date(2026, 6, 15)
DUMPS = {
    "people": "SELECT * FROM registry_people ORDER BY si_code",
    "periods": "SELECT si_code, month_from, month_to, kind, employer_code, salary_base, unemployment "
    "FROM registry_periods ORDER BY id",
    "cards": "SELECT * FROM registry_cards ORDER BY si_code",
    "claims": "SELECT si_code, kind, status, amount, filed_on, decided_on, paying_office "
    "FROM registry_claims ORDER BY id",
    "dossiers": "SELECT * FROM registry_dossiers ORDER BY receipt_code",
    "employers": "SELECT * FROM registry_employers ORDER BY code",
}


def _dump(db: Database) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        dumps = {name: list(conn.execute(text(sql))) for name, sql in DUMPS.items()}
    # SQLite gives raw text dates and 0/1 booleans: compare what both databases hold.
    return {name: [tuple(_plain(v) for v in row) for row in rows] for name, rows in dumps.items()}


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else int(value) if isinstance(value, bool) else value


@pytest.fixture
def filled(db: Database) -> Database:
    report = generate(db, 300, seed=7, today=TODAY, batch=100)
    assert (report.people, report.employers) == (300, 34)
    assert report.periods > 500 and report.cards > 240 and report.claims > 20 and report.dossiers > 10
    return db


def test_the_same_seed_gives_the_same_registry_on_another_database(
    filled: Database, sqlite_template: Path, tmp_path: Path
):
    shutil.copyfile(sqlite_template, tmp_path / "other.db")
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        generate(other, 300, seed=7, today=TODAY, batch=5000)  # the batch size changes nothing
        first, second = _dump(filled), _dump(other)
        for name in DUMPS:
            assert first[name] == second[name], name
        generate(other, 50, seed=7, today=TODAY)  # numbered after the others: other people
        people = {row[0][2:]: row[1:3] for row in _dump(other)["people"]}
        added = {people[f"{n:08d}"] for n in range(300, 350)}
        assert len(added - {people[f"{n:08d}"] for n in range(50)}) >= 45
    finally:
        other.dispose()


def test_identifiers_are_valid(filled: Database):
    with filled.read() as session:
        people = session.scalars(select(RegistryPerson)).all()
        cards = {c.si_code: c for c in session.scalars(select(RegistryCard))}
    assert len({p.si_code for p in people}) == 300
    assert len({p.cccd for p in people if p.cccd}) == sum(1 for p in people if p.cccd) > 250
    assert 0 < sum(1 for p in people if p.phone is None) < 60
    for p in people:
        assert identifiers.si_code(p.si_code) == p.si_code and p.si_code[:2] == p.province_code
        if p.cccd:
            assert identifiers.cccd(p.cccd, birth_date=p.birth_date, gender=p.gender) == p.cccd
        if p.phone:
            assert identifiers.phone(p.phone) == p.phone
        parts = p.full_name.split()
        assert 3 <= len(parts) <= 4 and len(set(parts)) == len(parts)
        assert 16 <= (TODAY - p.birth_date).days / 365.25 <= 90
        if card := cards.get(p.si_code):
            number = card.number
            assert len(number) == 15 and number.endswith(p.si_code) and number[3:5] == p.province_code
            assert number[:2] in {"DN", "HC", "HT", "GD", "HN", "CN"} and int(number[2]) == card.benefit_level
            assert card.facility_code.startswith(p.province_code) and len(card.facility_code) == 5
            assert card.valid_from < card.valid_to


def test_the_mix_is_realistic(filled: Database):
    registry = EmbeddedRegistry(filled)
    with filled.read() as session:
        people = session.scalars(select(RegistryPerson)).all()
        cards = session.scalars(select(RegistryCard)).all()
        claims = session.scalars(select(RegistryClaim)).all()
        dossiers = session.scalars(select(RegistryDossier)).all()
    books = Counter(p.book_status for p in people)
    assert books["active"] > 150 and books["paused"] > 20 and books["closed"] > 20
    kinds = Counter(c.kind for c in claims)
    assert kinds["pension"] > 20 and kinds["lump_sum"] > 0 and kinds["unemployment"] > 0
    closed = {p.si_code for p in people if p.book_status == "closed"}
    assert closed <= {
        c.si_code for c in claims if c.kind in ("pension", "lump_sum") and c.status in ("paid", "approved")
    }
    expired = sum(1 for c in cards if c.valid_to < TODAY)
    expiring = sum(1 for c in cards if TODAY <= c.valid_to <= TODAY + timedelta(days=30))
    assert 0.02 < expired / len(cards) < 0.1 and 0.04 < expiring / len(cards) < 0.14
    assert all(d.receipt_code[:2] == d.si_code[:2] and len(d.receipt_code) == 14 for d in dossiers)
    assert {d.status for d in dossiers} >= {"done", "processing"}
    histories = {p.si_code: registry.contributions(p.si_code) for p in people}
    voluntary = [si for si, months in histories.items() if any(m.kind == "voluntary" for m in months)]
    assert len(voluntary) > 15
    assert all(m.employer_code is None for si in voluntary for m in histories[si] if m.kind == "voluntary")
    gaps = [
        si for si, months in histories.items() if any(_gap(a.month, b.month) for a, b in pairwise(months))
    ]
    assert len(gaps) > 30
    compulsory = [m for months in histories.values() for m in months if m.kind == "compulsory"]
    insured = [m.unemployment for m in compulsory if m.month.year >= 2015]
    assert sum(insured) / len(insured) > 0.9 and not any(
        m.unemployment for m in compulsory if m.month.year < 2009
    )
    recent = [m.salary_base for m in compulsory if m.month.year >= 2025]
    assert min(recent) > 3_500_000 and max(recent) <= 40_000_000


def _gap(earlier: date, later: date) -> bool:
    return (later.year - earlier.year) * 12 + later.month - earlier.month > 1


def test_the_embedded_registry_reads_back_consistently(filled: Database):
    registry = EmbeddedRegistry(filled)
    with filled.read() as session:
        people = session.scalars(select(RegistryPerson).order_by(RegistryPerson.si_code).limit(60)).all()
        receipt = session.scalar(select(RegistryDossier.receipt_code).limit(1))
    for p in people:
        person = registry.person(p.si_code)
        assert person is not None and (person.full_name, person.birth_date) == (p.full_name, p.birth_date)
        if p.cccd:
            assert registry.person_by_cccd(p.cccd) == person
        months = registry.contributions(p.si_code)
        assert all(a.month < b.month for a, b in pairwise(months))
        assert all(m.month.day == 1 and m.salary_base > 0 for m in months)
        assert all(m.employer_name for m in months if m.employer_code)
        book = registry.si_book(p.si_code)
        assert book is not None and book.status == p.book_status and book.paid_months == len(months)
        assert (book.first_month, book.last_month) == (months[0].month, months[-1].month)
        if len(months) > 3:
            since = months[-3].month + timedelta(days=10)
            assert registry.contributions(p.si_code, since=since) == months[-3:]
        card = registry.health_card(p.si_code)
        assert card is None or p.si_code in card.number
        claims = registry.claims(p.si_code)
        assert all(a.filed_on >= b.filed_on for a, b in pairwise(claims))
        assert all(c.amount is None or c.amount > 0 for c in claims)
    dossier = registry.dossier(receipt)
    assert dossier is not None and dossier.receipt_code == receipt and dossier.received_on <= dossier.due_on
    assert registry.person("9999999999") is None and registry.person_by_cccd("001090000000") is None
    assert registry.contributions("9999999999") == [] and registry.claims("9999999999") == []
    assert registry.si_book("9999999999") is None and registry.health_card("9999999999") is None
    assert registry.dossier("01202699999999") is None


def test_running_again_adds_other_people_after_the_first(filled: Database):
    report = generate(filled, 120, seed=7, today=TODAY)
    assert report.first_si_code[2:] == "00000300" and report.last_si_code[2:] == "00000419"
    dump = _dump(filled)
    assert len(dump["people"]) == 420 and len(dump["employers"]) == 68 and len(dump["dossiers"]) > 20
    cccds = [row[4] for row in dump["people"] if row[4]]
    assert len(cccds) == len(set(cccds))


def test_bad_arguments_are_refused(db: Database):
    for people, batch in ((0, 1000), (10, 5)):
        with pytest.raises(AppError) as caught:
            generate(db, people, batch=batch)
        assert caught.value.code == "registry_generate_bad_arguments"


def test_cli_generates_then_shows_a_person(run_cli, db: Database):
    result = run_cli("registry", "generate", "--people", "150", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "150" in result.output and "người/giây" in result.output
    with db.read() as session:
        pensioner = session.scalar(
            select(RegistryClaim.si_code).where(RegistryClaim.kind == "pension").order_by(RegistryClaim.id)
        )
        person = session.get(RegistryPerson, pensioner)
    result = run_cli("registry", "show", f"{pensioner[:4]} {pensioner[4:]}")
    assert result.exit_code == 0, result.output
    assert identifiers.mask("si_code", pensioner) in result.output and pensioner not in result.output
    assert person.full_name in result.output and "Lương hưu" in result.output
    assert "12 tháng đóng gần nhất" in result.output
    if person.cccd:
        assert person.cccd not in result.output and identifiers.mask("cccd", person.cccd) in result.output
    missing = run_cli("registry", "show", "9999999999")
    assert missing.exit_code == 1 and "registry_person_not_found" in missing.output
