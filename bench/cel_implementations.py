"""Compare Python implementations of CEL (Common Expression Language) for the subsidy rule engine.

Run: `.venv/bin/python bench/cel_implementations.py [N]` (default N = 10,000).

Measures, for each implementation installed in the virtualenv:
1. correctness on the expressions the rule engine needs (conditions and amounts over
   `claim`, `person`, `new_item`, `old_item`, `usage`);
2. sandboxing: hostile expressions must fail with an error, not reach Python;
3. speed: compile + evaluate N times, and evaluate a precompiled program N times, each
   reported with its ratio to the fastest implementation measured in the same run.

Implementations: `common-expression-language` (module `cel`, Rust `cel` crate via PyO3) and
`cel-python` (module `celpy`, pure Python on Lark). The decision and the figures are in
docs/decisions/cel-expression-language.md.
"""

import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000

ACTIVATION = {
    "claim": {"category": "家电", "date": "2025-03-01", "documents": ["invoice", "id_card"]},
    "person": {"age": 67, "is_resident": True},
    "new_item": {"category": "空调", "price": 3000.0, "efficiency_grade": 1, "power_kw": 90.0},
    "old_item": {"kind": "car", "fuel": "gasoline", "registration_date": "2011-05-20"},
    "usage": {"category_count": 2, "total_amount": 1200.0},
}

# (expression, expected result) — the shapes the engine's escape hatch is for.
CASES = [
    ('person.age >= 60 && person.is_resident', True),
    ('new_item.price <= 6000.0 && new_item.efficiency_grade == 1', True),
    ('old_item.fuel == "gasoline" && old_item.registration_date <= "2012-06-30"', True),
    ('"invoice" in claim.documents && !("scrap_certificate" in claim.documents)', True),
    ('new_item.price * 0.2 > 500.0 ? 500.0 : new_item.price * 0.2', 500.0),
    ('new_item.power_kw >= 73.5 ? 13140 : 7860', 13140),
    ('usage.category_count < 3', True),
    ('has(old_item.registration_date)', True),
    ('claim.documents.exists(d, d == "id_card")', True),
    ('size(claim.documents) == 2', True),
]

# Must raise (no Python attribute access, no imports, no unknown functions, no unbound names).
HOSTILE = [
    'person.__class__',
    '__import__("os").system("echo pwned")',
    'person.age.__add__(1)',
    'open("/etc/passwd")',
    'undefined_variable + 1',
    'new_item.price +',  # syntax error
]


def _impl_rust():
    import cel

    def compile_(expr):
        return cel.compile(expr)

    def run(program, activation):
        return program.execute(activation)

    return "common-expression-language (cel, Rust)", compile_, run


def _impl_celpy():
    import celpy

    env = celpy.Environment()

    def compile_(expr):
        return env.program(env.compile(expr))

    def run(program, activation):
        result = program.evaluate({k: celpy.json_to_cel(v) for k, v in activation.items()})
        if isinstance(result, Exception):
            raise result
        return result

    return "cel-python (celpy, pure Python)", compile_, run


def _plain(value):
    """celpy returns its own types (BoolType, DoubleType, ...): compare as plain Python."""
    if type(value).__name__ == "BoolType":
        return bool(value)
    for t in (bool, int, float, str):
        if isinstance(value, t):
            return t(value)
    return value


def _measure(name, compile_, run):
    correct = 0
    failures = []
    for expr, expected in CASES:
        try:
            got = _plain(run(compile_(expr), ACTIVATION))
            if got == expected and type(got) is type(expected):
                correct += 1
            else:
                failures.append(f"{expr!r}: got {got!r}")
        except Exception as exc:  # noqa: BLE001 - record any failure
            failures.append(f"{expr!r}: {type(exc).__name__}: {exc}")
    refused = 0
    escaped = []
    for expr in HOSTILE:
        try:
            got = run(compile_(expr), ACTIVATION)
            escaped.append(f"{expr!r} -> {got!r}")
        except Exception:  # noqa: BLE001
            refused += 1
    exprs = [e for e, _ in CASES]
    start = time.perf_counter()
    for i in range(N):
        run(compile_(exprs[i % len(exprs)]), ACTIVATION)
    compile_eval = time.perf_counter() - start
    programs = [compile_(e) for e in exprs]
    start = time.perf_counter()
    for i in range(N):
        run(programs[i % len(programs)], ACTIVATION)
    eval_only = time.perf_counter() - start
    return {
        "name": name, "correct": correct, "failures": failures, "refused": refused, "escaped": escaped,
        "compile_eval": compile_eval, "eval_only": eval_only,
    }


def main():
    results = []
    for factory in (_impl_rust, _impl_celpy):
        try:
            name, compile_, run = factory()
        except ImportError as exc:
            print(f"skipped: {factory.__name__}: {exc}")
            continue
        results.append(_measure(name, compile_, run))
    if not results:
        print("no CEL implementation installed")
        return
    fastest_ce = min(r["compile_eval"] for r in results)
    fastest_eo = min(r["eval_only"] for r in results)
    print(f"CEL implementations, N = {N:,} evaluations over {len(CASES)} expressions")
    print(f"{'implementation':42} {'correct':>8} {'hostile refused':>16} {'compile+eval s':>15} {'ratio':>7} "
          f"{'eval only s':>12} {'ratio':>7}")
    for r in results:
        print(f"{r['name']:42} {r['correct']:>3}/{len(CASES):<4} {r['refused']:>10}/{len(HOSTILE):<5} "
              f"{r['compile_eval']:>15.3f} {r['compile_eval'] / fastest_ce:>6.1f}x "
              f"{r['eval_only']:>12.3f} {r['eval_only'] / fastest_eo:>6.1f}x")
    for r in results:
        for f in r["failures"]:
            print(f"  {r['name']}: wrong: {f}")
        for e in r["escaped"]:
            print(f"  {r['name']}: NOT REFUSED: {e}")


if __name__ == "__main__":
    main()
