"""Attachments: checked by their content, stored once by SHA-256 under ``data_dir/attachments``.

The type is read from the bytes (``filetype``), never from the name or the sender's declared
type, and the name's extension must agree with it: a program named ``.pdf`` is refused, and so
is a PNG named ``.pdf``. Plain text has no signature; it is accepted as ``.txt``/``.csv`` when it
is valid UTF-8 without control characters. Files are written (and fsynced) before the database
row that points at them commits, so an accepted message never points at a missing file; a
rolled-back upload leaves an unreferenced file, which costs disk space and nothing else.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype

from vsscare.core.errors import AppError
from vsscare.requests import errors

MAX_FILE = 10 * 1024 * 1024
MAX_TOTAL = 25 * 1024 * 1024
MAX_FILES = 5
# content type → the extensions a file of that content may carry
ALLOWED: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg", "jfif"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "image/heic": ("heic", "heif"),
    "image/heif": ("heic", "heif"),
    "application/msword": ("doc",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.ms-excel": ("xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "text/plain": ("txt", "csv", "log"),
}
_PROGRAMS = {"exe", "elf", "dll", "msi", "dex", "class", "wasm", "sh", "swf", "crx", "deb", "rpm", "macho"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BAD_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    filename: str
    data: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def human_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} kB"


def clean_name(name: str) -> str:
    """The base name, NFC, without path separators or control characters, at most 200 characters."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _BAD_NAME.sub("_", base).strip(" .") or "tep"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 199 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base


def _refuse(name: str, reason: str, reason_en: str) -> AppError:
    return AppError(errors.ATTACHMENT_TYPE, name=name, reason=reason, reason_en=reason_en)


def _text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text)


def check(upload: Upload) -> Checked:
    name = clean_name(upload.filename)
    size = len(upload.data)
    if size > MAX_FILE:
        raise AppError(
            errors.ATTACHMENT_TOO_LARGE, name=name, size=human_size(size), limit=human_size(MAX_FILE)
        )
    if size == 0:
        raise _refuse(name, "tệp rỗng", "the file is empty")
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    kind = filetype.guess(upload.data)
    if kind is not None and (kind.extension in _PROGRAMS or "executable" in kind.mime):
        raise _refuse(name, "nội dung là một chương trình chạy được", "its content is an executable program")
    if kind is None:
        if ext in ALLOWED["text/plain"] and _text(upload.data):
            content_type = "text/plain"
        else:
            raise _refuse(name, "không nhận ra loại nội dung", "its content type is not recognised")
    else:
        content_type = kind.mime
        if content_type not in ALLOWED:
            raise _refuse(
                name,
                f"nội dung thuộc loại {kind.extension.upper()}",
                f"its content is {kind.extension.upper()}",
            )
    if ext not in ALLOWED[content_type]:
        shown = ALLOWED[content_type][0].upper()
        raise _refuse(
            name,
            f"tên tệp có đuôi .{ext or '?'} nhưng nội dung là {shown}",
            f"the name ends in .{ext or '?'} but the content is {shown}",
        )
    return Checked(name, upload.data, content_type, hashlib.sha256(upload.data).hexdigest())


def check_all(uploads: list[Upload]) -> list[Checked]:
    total = sum(len(u.data) for u in uploads)
    if len(uploads) > MAX_FILES or total > MAX_TOTAL:
        raise AppError(errors.ATTACHMENT_TOO_MANY, limit=MAX_FILES, total=human_size(MAX_TOTAL))
    return [check(u) for u in uploads]


class AttachmentStore:
    """Content-addressed files: ``root/ab/abcdef…`` (first two hex digits as a directory)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise AppError(errors.ATTACHMENT_NOT_FOUND)
        return self.root / sha256[:2] / sha256

    def put(self, item: Checked) -> Path:
        target = self.path(item.sha256)
        if target.exists() and target.stat().st_size == item.size:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".up-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(item.data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target
