"""Texts of the generated requests, written from the phrases in ``data/requests/generate.yaml``.

Citizens type with diacritics, without them, or in chat shorthand ("cho e hoi the bhyt het han
thi gia han o dau a"); :func:`styled` turns one sentence into each style. The phrases are NFC
with modern tone placement (checked when loaded), as the intake would have stored them.
"""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

import yaml

from vsscare.core.paths import DATA_DIR
from vsscare.core.text import fold, normalize


def _load() -> dict[str, Any]:
    data = yaml.safe_load((DATA_DIR / "requests" / "generate.yaml").read_text("utf-8"))

    def check(value: Any) -> None:
        if isinstance(value, str) and normalize(value) != value:
            raise ValueError(f"data/requests/generate.yaml: not normalised: {value!r}")
        for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
            check(item)

    check(data)
    return data


PHRASES = _load()
POPULATION: dict[str, float] = {str(k).zfill(2): v for k, v in PHRASES["population"].items()}
FAMILY: dict[str, float] = PHRASES["families"]
MAIL_DOMAINS: dict[str, float] = PHRASES["mail_domains"]
TOPICS: dict[str, dict[str, Any]] = PHRASES["topics"]
TYPE_TOPICS: dict[str, dict[str, float]] = PHRASES["type_topics"]
SEARCH_PHRASES: list[str] = PHRASES["search_phrases"]
_SHORT = tuple(
    (re.compile(rf"(?<!\w){re.escape(long)}(?!\w)"), short) for long, short in PHRASES["shorthand"].items()
)
_SLOT = re.compile(r"\{(\w+)\}")
# Odds of writing with diacritics, and with or without them (the rest is shorthand), by channel.
_STYLES = {"zalo": (0.4, 0.75), "facebook": (0.4, 0.75), "web": (0.55, 0.85), "form": (0.75, 0.95),
           "email": (0.75, 0.95)}  # fmt: skip
_PREFIX = {"lookup": "Tra cứu", "complaint": "Khiếu nại", "recommendation": "Kiến nghị", "feedback": "Góp ý"}
_CALL_VERB = {"complaint": "phản ánh", "recommendation": "kiến nghị", "feedback": "góp ý"}


def _strip(text: str) -> str:
    """Without diacritics, case kept (đ → d)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def styled(text: str, style: str) -> str:
    """``accented`` as written, ``plain`` without diacritics, ``chat`` in lower-case shorthand."""
    if style == "accented":
        return text
    if style == "plain":
        return _strip(text)
    lowered = text.lower()
    for pattern, short in _SHORT:
        lowered = pattern.sub(short, lowered)
    return _strip(lowered).rstrip(".")


def _fold_table() -> dict[int, str]:
    """Each character's folded form, as :func:`vsscare.core.text.fold` gives it."""
    table = {}
    for code in range(0x20, 0x2000):
        char = chr(code)
        if not char.isspace() and fold(char) != char:
            table[code] = fold(char)
    return table


_FOLD = _fold_table()


def folded(*parts: str | None) -> str:
    """:func:`vsscare.requests.search.folded` of single-spaced NFC texts (every generated one), by
    one ``str.translate`` each: diacritics go whatever their placement, so it is the same text."""
    return " ".join(p.translate(_FOLD) for p in parts if p)


def fill(template: str, values: dict[str, str]) -> str:
    return _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def clip(text: str, limit: int) -> str:
    """The start of a text, cut at a word, for a subject line."""
    text = text.strip().rstrip("?.")
    if len(text) <= limit:
        return sentence(text)
    return sentence(text[:limit].rsplit(" ", 1)[0]) + "…"


class Conversation:
    """One request's texts: its subject and first message, then each later message by kind."""

    def __init__(
        self, rng: random.Random, *, kind: str, topic: str, channel: str, lang: str, name: str, given: str,
        title: str, place: str, ssn: str, phone: str, year: int, month: int,
    ) -> None:  # fmt: skip
        self.rng, self.kind, self.topic, self.channel, self.lang = rng, kind, topic, channel, lang
        self.name = name
        accented, plain = _STYLES.get(channel, (1.0, 1.0))
        roll = rng.random()
        self.style = "accented" if roll < accented else "plain" if roll < plain else "chat"
        self.values = {
            "who": rng.choice(("em", "tôi", "mẹ tôi", "bố em", "con tôi", "vợ tôi")),
            "date": f"{rng.randint(1, 28):02d}/{month:02d}/{year}",
            "hospital": rng.choice(PHRASES["hospitals"]), "company": rng.choice(PHRASES["companies"]),
            "province": place, "year": str(year),
            "month": str(month), "n": str(rng.randint(2, 6)), "years_paid": str(rng.randint(3, 28)),
            "money": f"{rng.randint(45, 180) * 100_000:,}".replace(",", "."),
            "birth_year": str(rng.randint(1964, 1972)), "year0": str(rng.randint(2008, year - 1)), "ssn": ssn,
            "title": title, "given": given, "phone_local": "0" + phone[3:],
        }  # fmt: skip
        subject, ask, self.answer = self._case()
        self.subject, self.ask = subject, fill(ask, self.values)
        self.replies = 0

    def _case(self) -> tuple[str, str, str]:
        """(subject an agent would type, what is asked, the gist of the answer)."""
        rng, kind = self.rng, self.kind
        subject, ask, answer = rng.choice(TOPICS[self.topic]["cases"])
        if kind == "lookup":
            asks = PHRASES["lookup_asks"].get(self.topic) or PHRASES["lookup_asks"]["bhxh_bat_buoc"]
            ask, answer = rng.choice(asks), PHRASES["lookup_answer"]
        elif kind == "complaint" and rng.random() < 0.7:
            ask, answer = rng.choice(PHRASES["complaint_asks"]), PHRASES["complaint_answer"]
        elif kind in ("recommendation", "feedback"):
            ask = rng.choice(PHRASES["recommendations" if kind == "recommendation" else "feedback"])
            answer = PHRASES["acknowledgement"]
        if kind in _PREFIX:
            short = clip(fill(ask, self.values), 70)
            subject = (
                short if short.lower().startswith(_PREFIX[kind].lower()) else f"{_PREFIX[kind]}: {short}"
            )
        return subject, ask, answer

    def first(self) -> tuple[str, str]:
        """Subject and first message, as the channel brings them in."""
        rng, channel, ask, values = self.rng, self.channel, self.ask, self.values
        if self.lang == "en":
            subject, body = rng.choice(PHRASES["english"])
            return subject, fill(body, values)
        typed = self.subject
        if channel == "phone":
            return typed, f"Khách hàng gọi điện {_CALL_VERB.get(self.kind, 'hỏi')}: {ask}."
        if channel == "walk_in":
            return typed, f"Công dân đến trực tiếp bộ phận một cửa đề nghị: {ask}."
        if channel == "letter":
            return typed, (
                f"Đơn của công dân {self.name} gửi BHXH {values['province']}: {sentence(ask)}. "
                "Kính đề nghị cơ quan BHXH xem xét, giải quyết."
            )
        asking = self.kind in ("question", "lookup")
        greeting = rng.choice(PHRASES["greetings"]) if asking else ""
        detail = fill(rng.choice(PHRASES["details"]), values) if rng.random() < 0.3 else ""
        parts = [
            f"{greeting} {ask}".strip() + ("?" if asking else "."),
            detail,
            rng.choice(PHRASES["closings"]),
        ]
        body = styled(sentence(" ".join(p for p in parts if p)), self.style)
        if channel in ("form", "email") and rng.random() < 0.75:
            return styled(typed, "plain" if self.style == "chat" else self.style), body
        return clip(body, 80), body

    def __call__(self, what: str) -> str:
        """The next text of kind ``reply``, ``ask_more``, ``follow_up``, ``note``, ``summary`` (for
        the unit a request is transferred to), ``info`` (the agent's answer to the unit) or
        ``result`` (the unit's settlement)."""
        rng, values = self.rng, self.values
        if what in ("reply", "ask_more"):
            if self.lang == "en":
                return fill(PHRASES["english_reply"], values)
            opening = fill(rng.choice(PHRASES["reply_openings"]), values)
            if what == "ask_more":
                gist = fill(PHRASES["ask_more"], values)
            else:
                gist = fill(self.answer if not self.replies else rng.choice(PHRASES["more_answers"]), values)
                self.replies += 1
            closing = sentence(fill(rng.choice(PHRASES["reply_closings"]), values))
            return f"{opening} {sentence(gist).rstrip('.')}. {closing}"
        if what == "follow_up":
            return styled(fill(rng.choice(PHRASES["follow_ups"]), values), self.style)
        if what == "note":
            return fill(rng.choice(PHRASES["notes"]), values)
        if what == "summary":
            place = values["province"]
            return (
                f"Công dân {self.name} ({place}) đề nghị: {self.ask}. "
                f"Đề nghị BHXH {place} kiểm tra, giải quyết và trả lời công dân."
            )
        if what == "info":
            return fill("Đã bổ sung: mã số BHXH {ssn}, đơn vị công tác {company}.", values)
        return fill(rng.choice(PHRASES["results"]), values)
