"""Read a notice file (.txt / .docx / .pdf) into plain text.

PDF text comes from pypdf in layout mode, with pdfminer.six as a fallback;
see docs/decisions/pdf-text-extraction.md for why.
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


def _pdf_text_pypdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    # Layout mode orders glyphs by position; the plain mode moves characters
    # set in a fallback font (“” and digits) to the start of the line, which
    # hides headings such as （三）.
    return "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages)


def _pdf_text_pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams

    return extract_text(str(path), laparams=LAParams(char_margin=20, boxes_flow=None))


def _read_pdf(path: Path) -> str:
    if not path.read_bytes()[:1024].lstrip().startswith(b"%PDF"):
        raise _error(path, "PDF 文件已损坏（缺少 %PDF 文件头）", "the PDF is corrupt (no %PDF header)")
    problems = []
    # pypdf first (see docs/decisions/pdf-text-extraction.md); pdfminer.six
    # only when pypdf cannot parse the file or finds no text.
    for extract in (_pdf_text_pypdf, _pdf_text_pdfminer):
        try:
            text = extract(path)
        except ImportError as exc:  # pragma: no cover - both are declared
            problems.append(str(exc))
            continue
        except Exception as exc:  # both libraries raise many error types on bad files
            problems.append(f"{type(exc).__name__}: {exc}")
            continue
        if text.strip():
            return text
        problems.append("no text")
    if problems and all(p == "no text" for p in problems):
        raise _error(path, "PDF 中没有可提取的文字（可能是扫描件）", "the PDF has no text layer (scanned?)")
    raise _error(path, "PDF 文件已损坏，无法解析", "the PDF is corrupt and cannot be parsed (" + "; ".join(problems) + ")")


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
