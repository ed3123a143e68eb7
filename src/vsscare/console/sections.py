"""The staff console's sections: what each is, where it lives, who may open it.

A section is *available* when its page is mounted in the running app (checked against the app's
routes when it starts), so a section lights up on its own once its domain ships the page; until
then it shows as "coming" on the home page and stays out of the navigation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.routing import BaseRoute

from vsscare.accounts.principal import Principal
from vsscare.core.i18n import pick


@dataclass(frozen=True)
class Section:
    code: str
    title: str  # Vietnamese
    title_en: str
    description: str
    description_en: str
    url: str
    permission: str

    @property
    def label(self) -> str:
        return pick(self.title, self.title_en)

    @property
    def summary(self) -> str:
        return pick(self.description, self.description_en)


@dataclass(frozen=True)
class Entry:
    """A section as one user sees it."""

    section: Section
    available: bool

    @property
    def code(self) -> str:
        return self.section.code

    @property
    def url(self) -> str:
        return self.section.url

    @property
    def label(self) -> str:
        return self.section.label

    @property
    def summary(self) -> str:
        return self.section.summary


SECTIONS: tuple[Section, ...] = (
    Section(
        "requests", "Yêu cầu", "Requests",
        "Tiếp nhận, phân công, chuyển đơn vị và theo dõi hạn xử lý yêu cầu của khách hàng.",
        "Receive, assign, transfer and track the deadlines of customer requests.",
        "/console/requests", "requests.view",
    ),
    Section(
        "unit_queue", "Yêu cầu chuyển đến đơn vị", "Unit queue",
        "Yêu cầu được chuyển đến đơn vị mình: tiếp nhận, hỏi thêm, trả lại hoặc trả kết quả giải quyết.",
        "Requests transferred to your unit: accept, ask for information, return or settle them.",
        "/console/unit-queue", "units.work",
    ),
    Section(
        "decisions", "Trình Lãnh đạo", "Leadership decisions",
        "Vụ việc được báo cáo, đề xuất để Tổng Giám đốc quyết định.",
        "Cases submitted with a proposal for the General Director's decision.",
        "/console/decisions", "requests.decide",
    ),
    Section(
        "agents", "Điện thoại viên", "Agents",
        "Trạng thái trực, chủ đề phụ trách và số yêu cầu đang xử lý của từng người.",
        "Who is online, the topics each agent handles and their open requests.",
        "/console/agents", "requests.assign",
    ),
    Section(
        "wallboard", "Giám sát", "Wallboard",
        "Hàng đợi, cuộc gọi và yêu cầu sắp quá hạn trên mọi kênh theo thời gian thực.",
        "Live queues, calls and requests close to their deadline on every channel.",
        "/console/wallboard", "requests.supervise",
    ),
    Section(
        "knowledge", "Ngân hàng hỏi đáp", "Q&A bank",
        "Câu hỏi – trả lời về BHXH, BHYT, BHTN kèm căn cứ pháp lý, phiên bản và phê duyệt.",
        "Questions and answers on social, health and unemployment insurance with legal bases, "
        "versions and approval.",
        "/console/knowledge", "knowledge.view",
    ),
    Section(
        "legal", "Văn bản pháp luật", "Legal documents",
        "Luật, nghị định, thông tư theo từng điều, tình trạng hiệu lực; tìm có dấu hay không dấu.",
        "Laws, decrees and circulars article by article, whether in force; search with or without "
        "diacritics.",
        "/console/legal", "knowledge.view",
    ),
    Section(
        "customers", "Khách hàng", "Customers",
        "Hồ sơ người tham gia và đơn vị sử dụng lao động, lịch sử yêu cầu, kế hoạch chăm sóc.",
        "Insured people and employers, their request history and care plans.",
        "/console/customers", "customers.view",
    ),
    Section(
        "switchboard", "Tổng đài", "Switchboard",
        "Cuộc gọi đến, hàng chờ, gọi lại và kịch bản trả lời tự động 1900 9068.",
        "Incoming calls, queues, callbacks and the 1900 9068 automatic answering menu.",
        "/console/switchboard", "requests.work",
    ),
    Section(
        "surveys", "Khảo sát", "Surveys",
        "Khảo sát mức độ hài lòng và nhu cầu của khách hàng; đánh giá chất lượng trả lời.",
        "Customer satisfaction and needs surveys; answer quality reviews.",
        "/console/surveys", "quality.review",
    ),
    Section(
        "reports", "Báo cáo", "Reports",
        "Chỉ tiêu, số liệu theo kênh, đơn vị và thời gian; xuất Excel.",
        "Indicators and figures by channel, unit and period; Excel export.",
        "/console/reports", "reports.view",
    ),
    Section(
        "units", "Đơn vị", "Units",
        "Cây đơn vị BHXH, giờ làm việc, ngày nghỉ và nơi tiếp nhận thủ tục.",
        "The VSS unit tree, business hours, holidays and where procedures are received.",
        "/console/units", "orgunits.view",
    ),
    Section(
        "users", "Người dùng", "Users",
        "Tài khoản nhân viên, vai trò, đơn vị công tác và trạng thái đăng nhập.",
        "Staff accounts, roles, units and sign-in status.",
        "/console/users", "users.view",
    ),
    Section(
        "audit", "Nhật ký kiểm toán", "Audit log",
        "Ai đã xem hoặc thay đổi gì, khi nào, từ đâu; các lần bị từ chối quyền.",
        "Who read or changed what, when and from where; refused attempts.",
        "/console/audit", "audit.view",
    ),
    Section(
        "jobs", "Hàng đợi tác vụ", "Job queue",
        "Tác vụ nền: tin nhắn gửi đi, thông báo, thử lại và tác vụ lỗi.",
        "Background jobs: outgoing messages, notifications, retries and dead letters.",
        "/console/jobs", "jobs.manage",
    ),
    Section(
        "api", "Tài liệu API", "API docs",
        "Giao diện lập trình cho hệ thống tích hợp (OpenAPI).",
        "The programming interface for integrated systems (OpenAPI).",
        "/docs", "console.access",
    ),
)  # fmt: skip


def mounted(routes: Iterable[BaseRoute], urls: Iterable[str]) -> frozenset[str]:
    """Those of ``urls`` that some route answers with GET. Matched on each route's path pattern:
    asking the routes themselves (``route.matches``) makes FastAPI prepare every route's handler,
    which costs more than half a second at start-up."""
    patterns = [
        route.path_regex
        for route in routes
        if getattr(route, "path_regex", None) is not None and "GET" in (getattr(route, "methods", None) or ())
    ]
    return frozenset(url for url in urls if any(p.match(url) for p in patterns))


def reachable(principal: Principal | None, pages: frozenset[str]) -> list[Entry]:
    """Every section the principal may open, available or coming, in registry order."""
    if principal is None:
        return []
    return [Entry(s, s.url in pages) for s in SECTIONS if principal.has(s.permission)]


def navigation(principal: Principal | None, pages: frozenset[str]) -> list[Entry]:
    """The sections to link in the header: reachable and available now."""
    return [entry for entry in reachable(principal, pages) if entry.available]
