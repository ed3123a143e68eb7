"""``vsscare ask``: put a question to the answering engine, as a channel would.

``vsscare ask "câu hỏi"`` prints the decision, the answer, its legal bases and the candidates;
``--json`` prints the API's response object. Without a question, every line of standard input
is a question and every answer one JSON object on its own line (a bad line gets ``error``).
"""

from __future__ import annotations

import json
import sys
from typing import Any, get_args

import typer
from rich.markup import escape
from rich.table import Table

from vsscare.answering.engine import Result
from vsscare.answering.schemas import AnswerOut, Channel, clean_question
from vsscare.answering.service import answerer
from vsscare.core.cli import console, database, fail
from vsscare.core.errors import AppError
from vsscare.core.i18n import _

CHANNELS: tuple[str, ...] = get_args(Channel)


def decision_label(decision: str) -> str:
    return {
        "answer": _("Trả lời"),
        "clarify": _("Hỏi lại để làm rõ"),
        "handover": _("Chuyển cho cán bộ"),
        "out_of_scope": _("Ngoài phạm vi"),
    }.get(decision, decision)


def reason_label(reason: str) -> str:
    return {
        "personal_record": _("cần tra cứu hồ sơ cá nhân"),
        "complaint": _("khiếu nại"),
        "low_confidence": _("chưa đủ chắc chắn"),
    }.get(reason, reason)


def _write(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _show(result: Result, log_id: int | None) -> None:
    colour = {"answer": "green", "clarify": "yellow", "handover": "cyan"}.get(result.decision, "magenta")
    head = f"[bold {colour}]{escape(decision_label(result.decision))}[/bold {colour}] ({result.decision})"
    if result.handover_reason:
        head += f" — {escape(reason_label(result.handover_reason))}"
    console.print(head)
    if result.answer:
        console.print(f"[bold]{escape(result.answer['entry_id'])}[/bold]: {escape(result.answer['short'])}")
    if result.note:
        console.print(f"[dim]{escape(result.note)}[/dim]")
    if result.sources:
        console.print(_("Căn cứ pháp lý:"))
        for source in result.sources:
            state = (
                f"[green]{escape(_('còn hiệu lực'))}[/green]"
                if source.in_force
                else f"[red]{escape(_('hết hiệu lực'))}[/red]"
            )
            console.print(f"  {escape(source.key)} {escape(source.title)} — {state}")
    if result.candidates:
        table = Table("#", _("Hỏi đáp"), _("Câu hỏi"), _("Điểm"), _("Căn cứ"))
        for rank, candidate in enumerate(result.candidates, 1):
            table.add_row(
                str(rank),
                candidate.entry_id,
                escape(candidate.question),
                f"{candidate.score:.3f}",
                escape(", ".join(candidate.sources)),
            )
        console.print(table)
    facts = [
        _("độ tin cậy {value}").format(value=f"{result.confidence:.2f}"),
        _("chủ đề {topic}").format(topic=result.topic or "—"),
        _("ngôn ngữ {lang}").format(lang=result.lang),
        _("{ms} ms").format(ms=f"{result.latency_ms:.1f}"),
    ]
    if log_id is not None:
        facts.append(_("nhật ký số {id}").format(id=log_id))
    console.print(" · ".join(facts), highlight=False)


def ask(
    question: str | None = typer.Argument(
        None, help=_("Câu hỏi; bỏ trống thì đọc mỗi dòng đầu vào chuẩn là một câu hỏi (in JSON từng dòng)")
    ),
    as_json: bool = typer.Option(False, "--json", help=_("In một đối tượng JSON như API")),
    channel: str = typer.Option(
        "api", "--channel", help=_("Kênh: {channels}").format(channels=", ".join(CHANNELS))
    ),
    lang: str | None = typer.Option(
        None, "--lang", help=_("Ngôn ngữ trả lời: vi hoặc en; mặc định tự nhận biết")
    ),
    no_log: bool = typer.Option(False, "--no-log", help=_("Không ghi câu hỏi vào nhật ký trả lời")),
) -> None:
    if channel not in CHANNELS:
        raise typer.BadParameter(
            _("chọn một trong: {choices}").format(choices=", ".join(CHANNELS)), param_hint="--channel"
        )
    if lang not in (None, "vi", "en"):
        raise typer.BadParameter(_("chọn vi hoặc en"), param_hint="--lang")
    engine = answerer(database())

    def answer(text: str) -> tuple[Result, int | None]:
        return engine.ask(clean_question(text), channel=channel, lang=lang, record=not no_log)

    if question is None:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                result, log_id = answer(line)
            except AppError as exc:
                _write({"question": line.rstrip("\r\n"), "error": exc.as_dict()})
                continue
            _write({"question": line.rstrip("\r\n")} | AnswerOut.of(result, log_id).model_dump(mode="json"))
        return
    try:
        result, log_id = answer(question)
    except AppError as exc:
        raise fail(exc) from exc
    if as_json:
        _write(AnswerOut.of(result, log_id).model_dump(mode="json"))
    else:
        _show(result, log_id)
