"""The escape hatch: CEL (Common Expression Language) conditions and amounts.

CEL is not Turing-complete (no loops, no recursion, no user-defined functions; its macros
`all`, `exists`, `exists_one`, `map`, `filter` iterate only over a finite input list) and has no
access to Python: the evaluator sees plain values only (maps, lists, strings, numbers, booleans),
and we register no custom functions. The implementation is `common-expression-language` (Rust);
docs/decisions/cel-expression-language.md records why.

On top of CEL itself this module enforces:
- a size limit (characters) and a limit on comprehension macros, so the work an expression can do
  is bounded by the input sizes (nested macros over a list of n items cost n²);
- a whitelist of variables: `claim`, `person`, `new_item`, `old_item`, `usage`;
- a type: a condition must give a bool, an amount a number;
- a time budget: an evaluation that took longer than the budget is refused (fail closed).

Money: the expression sees prices as CEL doubles (yuan). An amount result is converted to
Decimal via its shortest decimal representation, then rounded to fen by the engine. Use the
structured parameters for ordinary money rules; expressions are for the odd rule out.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal
from functools import lru_cache
from typing import Any

import cel

MAX_LENGTH = 1000
MAX_COMPREHENSIONS = 2
TIME_BUDGET_SECONDS = 0.25
VARIABLES = frozenset({"claim", "person", "new_item", "old_item", "usage"})
# CEL standard functions an expression may call; operators (`_+_`, `!_`, `@in`) are always allowed.
FUNCTIONS = frozenset({
    "size", "int", "uint", "double", "string", "bool", "bytes", "type", "dyn", "matches", "contains",
    "startsWith", "endsWith", "timestamp", "duration", "getFullYear", "getMonth", "getDate", "getDayOfMonth",
    "getDayOfWeek", "getDayOfYear", "getHours", "getMinutes", "getSeconds",
})

_MACRO = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)")


class ExpressionError(ValueError):
    """An expression was refused. `code` is stable; `message` is Chinese for the rule editor."""

    def __init__(self, code: str, message: str, expression: str = ""):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.expression = expression


@lru_cache(maxsize=512)
def expression_compile(source: str):
    """Check and compile an expression. Raises ExpressionError with a Chinese message."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("expression_empty", "表达式为空", str(source))
    if len(source) > MAX_LENGTH:
        raise ExpressionError("expression_too_long", f"表达式过长（{len(source)} 个字符，上限 {MAX_LENGTH}）", source)
    bound = set(_MACRO.findall(source))
    if len(_MACRO.findall(source)) > MAX_COMPREHENSIONS:
        raise ExpressionError(
            "expression_too_complex", f"表达式中的列表宏（all/exists/map/filter）最多 {MAX_COMPREHENSIONS} 个", source
        )
    try:
        program = cel.compile(source)
    except Exception as exc:  # the binding raises ValueError with the parser's message
        raise ExpressionError("expression_syntax", f"表达式语法错误：{_first_line(exc)}", source) from exc
    unknown = sorted(set(program.variables()) - VARIABLES - bound)
    if unknown:
        raise ExpressionError(
            "expression_unknown_name",
            f"表达式使用了未知的名称：{', '.join(unknown)}（可用：{', '.join(sorted(VARIABLES))}）",
            source,
        )
    unknown_functions = sorted(f for f in program.functions() if f[0] not in "_@!" and f not in FUNCTIONS)
    if unknown_functions:
        raise ExpressionError("expression_unknown_name",
                              f"表达式使用了不允许的函数：{', '.join(unknown_functions)}", source)
    return program


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def cel_value(value: Any) -> Any:
    """Plain values for CEL: Decimal → double, dates → ISO strings, sets → sorted lists."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): cel_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, (set, frozenset)):
        return sorted(cel_value(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [cel_value(v) for v in value]
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def _run(source: str, activation: dict) -> Any:
    program = expression_compile(source)
    context = {name: cel_value(activation.get(name) or {}) for name in VARIABLES}
    started = time.perf_counter()
    try:
        result = program.execute(context)
    except KeyError as exc:
        raise ExpressionError("expression_missing_field", f"申请数据中没有字段 {exc}", source) from exc
    except ZeroDivisionError as exc:
        raise ExpressionError("expression_runtime", "表达式运行错误：除以零", source) from exc
    except Exception as exc:
        raise ExpressionError("expression_runtime", f"表达式运行错误：{_first_line(exc)}", source) from exc
    elapsed = time.perf_counter() - started
    if elapsed > TIME_BUDGET_SECONDS:
        raise ExpressionError(
            "expression_timeout", f"表达式运行超时（{elapsed:.3f} 秒，上限 {TIME_BUDGET_SECONDS} 秒）", source
        )
    return result


def expression_condition(source: str, activation: dict) -> bool:
    """Evaluate a condition; it must give true or false."""
    result = _run(source, activation)
    if not isinstance(result, bool):
        raise ExpressionError("expression_type", f"条件表达式须返回 true/false，实际返回 {result!r}", source)
    return result


def expression_amount(source: str, activation: dict) -> Decimal:
    """Evaluate an amount in yuan; it must give a non-negative number."""
    result = _run(source, activation)
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        raise ExpressionError("expression_type", f"金额表达式须返回数字，实际返回 {result!r}", source)
    if result != result or result in (float("inf"), float("-inf")):
        raise ExpressionError("expression_type", "金额表达式返回了非有限数", source)
    amount = Decimal(repr(result)) if isinstance(result, float) else Decimal(result)
    if amount < 0:
        raise ExpressionError("expression_type", f"金额表达式返回了负数 {amount}", source)
    return amount
