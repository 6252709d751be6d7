"""Your own data, typed: a target as an expression of the inputs, `y = sin(3*x)` (regression on
x in [-1, 1)) or `x1*x2 > 0` (two classes on [-1, 1)²). Read with Python's `ast` and a whitelist,
never eval: numbers, x / x1 / x2, + - * / **, abs sin cos exp log tanh, comparisons (with and/or)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from nntui.core.choices import CLASSIFICATION, REGRESSION

MAX_CHARS = 500
MAX_DEPTH = 40
FUNCTIONS = ("abs", "sin", "cos", "exp", "log", "tanh")
VARIABLES = ("x", "x1", "x2")
ALLOWED = "numbers, x (or x1 and x2), + - * / **, abs, sin, cos, exp, log, tanh and comparisons"
_TARGET = re.compile(r"^\s*y\s*=(?!=)")
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_COMPARISONS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


@dataclass(frozen=True)
class Expression:
    """A checked target: its tree, the inputs it reads (1 for x, 2 for x1 and x2) and its task."""

    text: str
    tree: ast.Expression
    input_dim: int
    task: str


def body(text: str) -> str:
    """The expression without a leading `y =`."""
    return _TARGET.sub("", text, count=1).strip()


def parse_expression(text: str) -> Expression:
    """The checked expression; a ValueError that names what is wrong (the bad token) otherwise."""
    if len(text) > MAX_CHARS:
        raise ValueError(f"is {len(text):,} characters long; nntui reads at most {MAX_CHARS}")
    source = body(text)
    if not source:
        raise ValueError("is empty: give the target, e.g. 'sin(3*x)' or 'x1*x2 > 0'")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise ValueError(
            f"is not an expression nntui reads ({error.msg}, at column {error.offset})"
        ) from None
    except (RecursionError, MemoryError):
        raise ValueError("nests too deep") from None
    names: set[str] = set()
    task = CLASSIFICATION if _is_condition(tree.body) else REGRESSION
    _check(tree.body, source, names, condition=task == CLASSIFICATION, depth=0)
    if "x" in names and names & {"x1", "x2"}:
        raise ValueError("mixes x with x1/x2: use x for one input, x1 and x2 for two")
    return Expression(text, tree, 2 if names & {"x1", "x2"} else 1, task)


def expression_problem(text: str) -> str | None:
    try:
        parse_expression(text)
    except ValueError as error:
        return f"data.expression {error}"
    return None


def _is_condition(node: ast.AST) -> bool:
    return isinstance(node, ast.Compare | ast.BoolOp)


def _check(node: ast.AST, source: str, names: set[str], condition: bool, depth: int) -> None:
    """Refuse every node outside the whitelist, naming it as typed."""
    if depth > MAX_DEPTH:
        raise ValueError("nests too deep")
    deeper = depth + 1
    if condition and isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And | ast.Or):
        for value in node.values:
            if not _is_condition(value):
                raise ValueError(f"joins {_token(value, source)} with and/or: only comparisons join")
            _check(value, source, names, True, deeper)
    elif condition and isinstance(node, ast.Compare):
        bad = next((op for op in node.ops if not isinstance(op, _COMPARISONS)), None)
        if bad is not None:
            raise ValueError(f"compares with {_token(node, source)}: use <, <=, > or >=")
        for operand in [node.left, *node.comparators]:
            _check(operand, source, names, False, deeper)
    elif isinstance(node, ast.Compare | ast.BoolOp):
        raise ValueError(f"has a comparison inside arithmetic ({_token(node, source)}); it must be the whole")
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return
    elif isinstance(node, ast.Name) and node.id in VARIABLES:
        names.add(node.id)
    elif isinstance(node, ast.Name):
        known = f"{', '.join(VARIABLES)} or a function: {', '.join(FUNCTIONS)}"
        raise ValueError(f"uses {node.id!r}, which is not one of {known}")
    elif isinstance(node, ast.BinOp) and isinstance(node.op, _ARITHMETIC):
        _check(node.left, source, names, False, deeper)
        _check(node.right, source, names, False, deeper)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _check(node.operand, source, names, False, deeper)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        if len(node.args) != 1 or node.keywords:
            raise ValueError(f"calls {node.func.id} with {_token(node, source)}: it takes one argument")
        _check(node.args[0], source, names, False, deeper)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        raise ValueError(f"calls {node.func.id!r}, which is not allowed; allowed: {ALLOWED}")
    elif isinstance(node, ast.Attribute):
        raise ValueError(
            f"uses {'.' + node.attr!r} (in {_token(node, source)}), which is not allowed; allowed: {ALLOWED}"
        )
    else:
        raise ValueError(f"uses {_token(node, source)}, which is not allowed; allowed: {ALLOWED}")


def _token(node: ast.AST, source: str, limit: int = 30) -> str:
    text = ast.get_source_segment(source, node) or type(node).__name__
    return repr(text if len(text) <= limit else text[:limit] + "…")
