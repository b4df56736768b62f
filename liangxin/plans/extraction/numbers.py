"""Chinese numerals (中文数字) and magnitude folding (万/亿)."""

from __future__ import annotations

_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0,
    "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "兩": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7,
    "八": 8, "捌": 8, "九": 9, "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

CN_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)

MAGNITUDE = {"万": 10_000, "亿": 100_000_000, "千": 1_000, "百": 100}


def cn_to_int(text: str) -> int:
    """（二十三）→ 23, 三十四 → 34, 一百零五 → 105, 两 → 2.

    Also digit-by-digit years: 二〇二四 → 2024.
    Raises ValueError on anything else.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    if all(c in _DIGITS for c in text) and len(text) > 1:
        # 二〇二四: positional digits with no unit characters.
        return int("".join(str(_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c in _SMALL_UNITS:
            # A bare 十 at the front means 一十.
            section += (1 if digit is None else digit) * _SMALL_UNITS[c]
            digit = None
        elif c in _BIG_UNITS:
            section += digit or 0
            total += section * _BIG_UNITS[c]
            section, digit = 0, None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + (digit or 0)


def fold(value: float, magnitude: str | None) -> float:
    """2 and 万 → 20000; 0.5 and 万 → 5000; 10 and 亿 → 1000000000."""
    if magnitude:
        value = value * MAGNITUDE[magnitude]
    return clean_number(value)


def clean_number(value: float) -> float | int:
    """Give integers as int (26 亿 → 2600000000, not 2.6e9) and tame float noise."""
    rounded = round(value, 6)
    if abs(rounded - round(rounded)) < 1e-9:
        return int(round(rounded))
    return rounded


def parse_number(text: str) -> float:
    """'1,500' → 1500.0; '0.5' → 0.5; '两' → 2."""
    text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return float(cn_to_int(text))
