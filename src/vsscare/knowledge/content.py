"""What a Q&A entry says, validated the same way from a bank file, the editor form and the API.

:class:`EntryContent` holds every field an editor writes; the bank file's line adds ``id``,
``status`` and ``version`` (see :mod:`vsscare.knowledge.entry_file`). Legal bases are checked
against the corpus by the caller, which has the database.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from vsscare.core.errors import AppError
from vsscare.core.i18n import pick
from vsscare.core.text import nfc
from vsscare.knowledge import errors, markdown

MAX_SHORT = 300  # chat bubbles, SMS and text-to-speech
ENGLISH = ("question_en", "short_answer_en", "full_answer_en")
CODE_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but tab, line feed, carriage return
STATUSES = ("draft", "in_review", "approved", "published", "retired")
TOPICS = (
    "bhxh_bat_buoc", "bhxh_tu_nguyen", "om_dau_thai_san", "tai_nan_ld_bnn", "huu_tri", "bhxh_mot_lan",
    "tu_tuat", "bhtn", "bhyt", "so_the", "dich_vu_cong", "thu_no_dong", "khieu_nai", "other",
)  # fmt: skip
AUDIENCES = (
    "employee", "employer", "voluntary_participant", "pensioner", "student", "foreigner", "household",
    "beneficiary", "overseas_vietnamese", "farmer", "self_employed", "public_servant", "family", "all",
)  # fmt: skip
Status = Literal["draft", "in_review", "approved", "published", "retired"]
Topic = Literal[TOPICS]  # type: ignore[valid-type]
Audience = Literal[AUDIENCES]  # type: ignore[valid-type]


class EntryContent(BaseModel):
    """The fields an editor writes (names as in the bank file)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    topic: Topic
    audiences: list[Audience] = Field(min_length=1)
    question: str = Field(min_length=1, max_length=1000)
    phrasings: list[str]
    short_answer: str = Field(min_length=1, max_length=MAX_SHORT)
    full_answer: str = Field(min_length=1, max_length=30000)
    question_en: str | None
    short_answer_en: str | None = Field(max_length=MAX_SHORT)
    full_answer_en: str | None = Field(max_length=30000)
    legal_bases: list[str]
    effective_from: date | None
    effective_to: date | None
    next_review_at: date | None

    @field_validator(
        "question", "short_answer", "full_answer", "question_en", "short_answer_en", "full_answer_en",
        "phrasings", "legal_bases", mode="before",
    )  # fmt: skip
    @classmethod
    def _no_control(cls, value: object) -> object:
        # NUL and other control characters break PostgreSQL text and Excel cells alike.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and CONTROL.search(t) for t in texts):
            raise ValueError("có ký tự điều khiển không hợp lệ / contains control characters")
        return value

    @field_validator("question", "short_answer", "full_answer", mode="before")
    @classmethod
    def _nfc(cls, value: object) -> object:
        # Before the length check: NFC can shorten text typed with combining marks.
        return nfc(value) if isinstance(value, str) else value

    @field_validator("question", "short_answer", "full_answer")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("không được để trống / must not be blank")
        return value

    @field_validator("question_en", "short_answer_en", "full_answer_en", mode="before")
    @classmethod
    def _english(cls, value: object) -> object:
        """No English: "" in the shipped files, null also accepted; kept as NULL."""
        if isinstance(value, str):
            return nfc(value) if value.strip() else None
        return value

    @field_validator("full_answer", "full_answer_en")
    @classmethod
    def _markdown(cls, value: str | None) -> str | None:
        found = markdown.problems(value) if value else []
        if found:
            raise ValueError("; ".join(found))
        return value

    @field_validator("phrasings", "legal_bases")
    @classmethod
    def _items(cls, values: list[str]) -> list[str]:
        values = [nfc(v) for v in values]
        if any(not v.strip() for v in values):
            raise ValueError("có mục trống / has a blank item")
        if len(set(values)) != len(values):
            raise ValueError("có mục trùng / has a duplicate item")
        return values

    @field_validator("audiences")
    @classmethod
    def _audiences(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("có mục trùng / has a duplicate item")
        return values

    @model_validator(mode="after")
    def _whole(self) -> EntryContent:
        english = (self.question_en, self.short_answer_en, self.full_answer_en)
        if any(english) and not all(english):
            raise ValueError("question_en, short_answer_en, full_answer_en phải có đủ cả ba / go together")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to trước effective_from / is before effective_from")
        return self


# Labels shown to staff and citizens: (Vietnamese, English).
STATUS_LABELS = {
    "draft": ("Bản nháp", "Draft"),
    "in_review": ("Chờ duyệt", "In review"),
    "approved": ("Đã duyệt", "Approved"),
    "published": ("Đã công bố", "Published"),
    "retired": ("Ngừng sử dụng", "Retired"),
}
TOPIC_LABELS = {
    "bhxh_bat_buoc": ("BHXH bắt buộc", "Compulsory social insurance"),
    "bhxh_tu_nguyen": ("BHXH tự nguyện", "Voluntary social insurance"),
    "om_dau_thai_san": ("Ốm đau, thai sản", "Sickness and maternity"),
    "tai_nan_ld_bnn": ("Tai nạn lao động, bệnh nghề nghiệp", "Occupational accidents and diseases"),
    "huu_tri": ("Hưu trí", "Pensions"),
    "bhxh_mot_lan": ("BHXH một lần", "One-time withdrawal"),
    "tu_tuat": ("Tử tuất", "Survivor and funeral benefits"),
    "bhtn": ("Bảo hiểm thất nghiệp", "Unemployment insurance"),
    "bhyt": ("Bảo hiểm y tế", "Health insurance"),
    "so_the": ("Sổ BHXH, thẻ BHYT", "SI books and HI cards"),
    "dich_vu_cong": ("Dịch vụ công trực tuyến", "Online public services"),
    "thu_no_dong": ("Thu, nợ đóng", "Contributions and arrears"),
    "khieu_nai": ("Khiếu nại, tố cáo", "Complaints and denunciations"),
    "other": ("Khác", "Other"),
}
AUDIENCE_LABELS = {
    "employee": ("Người lao động", "Employees"),
    "employer": ("Đơn vị sử dụng lao động", "Employers"),
    "voluntary_participant": ("Người tham gia tự nguyện", "Voluntary participants"),
    "pensioner": ("Người hưởng lương hưu", "Pensioners"),
    "student": ("Học sinh, sinh viên", "Students"),
    "foreigner": ("Người nước ngoài", "Foreigners"),
    "household": ("Hộ gia đình", "Households"),
    "beneficiary": ("Người hưởng chế độ", "Beneficiaries"),
    "overseas_vietnamese": ("Người Việt Nam ở nước ngoài", "Overseas Vietnamese"),
    "farmer": ("Nông dân", "Farmers"),
    "self_employed": ("Lao động tự do", "Self-employed"),
    "public_servant": ("Cán bộ, công chức, viên chức", "Public servants"),
    "family": ("Thân nhân", "Family members"),
    "all": ("Mọi người", "Everyone"),
}


def label(labels: dict[str, tuple[str, str]], code: str) -> str:
    """The label of ``code`` in the current language; the code itself when unknown."""
    pair = labels.get(code)
    return pick(*pair) if pair else code


def explain(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, reason) for each problem pydantic found, worded for editors."""
    found = []
    for error in exc.errors():
        where = str(error["loc"][0]) if error["loc"] else "-"
        if error["type"] == "json_invalid":
            found.append(("-", f"JSON không hợp lệ / invalid JSON: {error['ctx'].get('error', '')}"))
        elif error["type"] == "missing":
            found.append((where, "thiếu trường / missing field"))
        elif error["type"] == "extra_forbidden":
            found.append((where, "trường không có trong định dạng / unknown field"))
        elif error["type"] == "model_type":
            found.append(("-", "mỗi dòng phải là một đối tượng JSON / each line must be a JSON object"))
        elif error["type"] == "literal_error":
            allowed = error["ctx"]["expected"]
            found.append((where, f"giá trị không hợp lệ, chọn một trong / must be one of: {allowed}"))
        elif error["type"] == "too_short":
            found.append((where, "cần ít nhất một mục / needs at least one item"))
        elif error["type"] == "string_too_short":
            found.append((where, "không được để trống / must not be empty"))
        elif error["type"].startswith("date_"):
            found.append((where, "ngày phải có dạng YYYY-MM-DD / a date must be YYYY-MM-DD"))
        elif error["type"] == "string_too_long":
            limit = error["ctx"]["max_length"]
            found.append((where, f"dài quá {limit} ký tự / longer than {limit} characters"))
        else:
            found.append((where, error["msg"].removeprefix("Value error, ")))
    return found


def parse_content(data: dict[str, Any]) -> EntryContent:
    """Validate what an editor sent; one :class:`AppError` lists every problem by field."""
    try:
        return EntryContent.model_validate(data)
    except ValidationError as exc:
        problems = [{"field": f, "reason": r} for f, r in explain(exc)]
        first = f"{problems[0]['field']}: {problems[0]['reason']}"
        raise AppError(
            errors.ENTRY_INVALID, details={"errors": problems}, count=len(problems), first=first
        ) from exc
