"""Whether a document (and so each of its articles) is in force on a given day.

In force = not superseded, and either no effective date (a consolidated text) or an effective
date on or before today in Vietnam (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from vsscare.core.i18n import _

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
StatusCode = Literal["in_force", "superseded", "not_yet_effective"]
IN_FORCE: StatusCode = "in_force"
SUPERSEDED: StatusCode = "superseded"
NOT_YET_EFFECTIVE: StatusCode = "not_yet_effective"


class _Dated(Protocol):
    effective: date | None
    superseded_by: str | None


class _HasDocument(Protocol):
    @property
    def document(self) -> _Dated: ...


def today_vn() -> date:
    return datetime.now(VN_TZ).date()


@dataclass(frozen=True)
class LegalStatus:
    code: StatusCode
    superseded_by: str | None = None
    effective: date | None = None

    @property
    def in_force(self) -> bool:
        return self.code == IN_FORCE

    @property
    def label(self) -> str:
        """ "Còn hiệu lực", "Hết hiệu lực — thay thế bởi 158/2025/NĐ-CP", "Chưa có hiệu lực — từ …"."""
        if self.code == SUPERSEDED:
            return _("Hết hiệu lực — thay thế bởi {number}").format(number=self.superseded_by)
        if self.code == NOT_YET_EFFECTIVE and self.effective:
            return _("Chưa có hiệu lực — từ {date}").format(date=self.effective.strftime("%d/%m/%Y"))
        return _("Còn hiệu lực")

    @property
    def badge(self) -> str:
        """The badge style of the staff pages."""
        return {IN_FORCE: "success", SUPERSEDED: "danger", NOT_YET_EFFECTIVE: "warning"}[self.code]


def document_status(document: _Dated, today: date | None = None) -> LegalStatus:
    today = today or today_vn()
    if document.superseded_by:
        return LegalStatus(SUPERSEDED, document.superseded_by, document.effective)
    if document.effective is not None and document.effective > today:
        return LegalStatus(NOT_YET_EFFECTIVE, None, document.effective)
    return LegalStatus(IN_FORCE, None, document.effective)


def article_status(article: _HasDocument, today: date | None = None) -> LegalStatus:
    """An article is in force exactly when its document is."""
    return document_status(article.document, today)
