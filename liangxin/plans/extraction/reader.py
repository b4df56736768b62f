"""Read a notice file (.txt / .docx / .pdf) into plain text.

PDF text comes from pdfminer.six; see docs/decisions/pdf-text-extraction.md
for why it was chosen over pypdf.
"""

from __future__ import annotations

import zipfile
from pathlib import Path


class NoticeReadError(ValueError):
    """The notice file cannot be read (unknown type, corrupt, or empty)."""


def _error(path: Path, zh: str, en: str) -> NoticeReadError:
    return NoticeReadError(f"无法读取文件 {path.name}：{zh} / Cannot read {path.name}: {en}")


def _read_txt(path: Path) -> str:
    data = path.read_bytes()
    # UTF-8 first (with or without BOM); GB18030 is a superset of GBK/GB2312,
    # the encodings older county systems still export.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _error(path, "文本编码无法识别（不是 UTF-8 或 GB18030/GBK）", "text is neither UTF-8 nor GB18030/GBK")


def _read_docx(path: Path) -> str:
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise _error(path, "缺少 python-docx", "python-docx is not installed") from exc
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _error(path, "Word 文件已损坏或不是 .docx 格式", "the Word file is corrupt or not .docx") from exc
    except Exception as exc:  # python-docx raises assorted errors on bad packages
        raise _error(path, "Word 文件已损坏或不是 .docx 格式", f"the Word file is corrupt ({exc})") from exc

    lines: list[str] = []

    def walk(parent) -> None:
        # Paragraphs and tables in body order; a cell's own paragraphs and
        # nested tables in order too.
        for child in parent.iter_inner_content():
            if isinstance(child, Paragraph):
                lines.append(child.text)
            elif isinstance(child, Table):
                for row in child.rows:
                    seen = set()
                    for cell in row.cells:
                        # Merged cells repeat the same cell object across the row.
                        if id(cell._tc) in seen:
                            continue
                        seen.add(id(cell._tc))
                        walk(cell)

    walk(document)
    return "\n".join(lines)


def _read_pdf(path: Path) -> str:
    try:
        from pdfminer.high_level import extract_text
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise _error(path, "缺少 pdfminer.six", "pdfminer.six is not installed") from exc
    if not path.read_bytes()[:1024].lstrip().startswith(b"%PDF"):
        raise _error(path, "PDF 文件已损坏（缺少 %PDF 文件头）", "the PDF is corrupt (no %PDF header)")
    try:
        text = extract_text(str(path))
    except PDFSyntaxError as exc:
        raise _error(path, "PDF 文件已损坏", f"the PDF is corrupt ({exc})") from exc
    except Exception as exc:
        raise _error(path, "PDF 文件无法解析", f"the PDF cannot be parsed ({exc})") from exc
    if not text.strip():
        raise _error(path, "PDF 中没有可提取的文字（可能是扫描件）", "the PDF has no text layer (scanned?)")
    return text


_READERS = {".txt": _read_txt, ".text": _read_txt, ".docx": _read_docx, ".pdf": _read_pdf}


def read_notice(path) -> str:
    """Return the text of a .txt, .docx or .pdf notice.

    Raises NoticeReadError (a ValueError) for an unknown extension, a missing
    file, or a file that cannot be parsed.
    """
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise _error(
            path,
            f"不支持的文件类型“{path.suffix or '无扩展名'}”，仅支持 .txt、.docx、.pdf",
            f"unsupported file type '{path.suffix or 'none'}'; use .txt, .docx or .pdf",
        )
    if not path.is_file():
        raise _error(path, "文件不存在", "no such file")
    return reader(path)
