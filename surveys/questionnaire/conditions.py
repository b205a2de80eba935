"""The condition language of relevance rules, checks and derived variables.

Parsed with a grammar (never Python's eval) into a small tree, then compiled into closures,
so evaluating a condition over thousands of responses costs a few function calls.
Missing values (unanswered or not relevant) are None and propagate: comparisons and
arithmetic with None give None, and/or/not follow three-valued (Kleene) logic.
"""
from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, VisitError

GRAMMAR = r"""
?start: or_
?or_: and_ | or_ "or" and_ -> or_op
?and_: not_ | and_ "and" not_ -> and_op
?not_: cmp | "not" not_ -> not_op
?cmp: sum | sum CMPOP sum -> compare | sum "in" "(" literal ("," literal)* ")" -> in_op
    | sum "not" "in" "(" literal ("," literal)* ")" -> not_in_op
?sum: product | sum ADDOP product -> arith
?product: unary | product MULOP unary -> arith
?unary: atom | "-" unary -> neg
?atom: NUMBER -> number
     | STRING -> string
     | "true" -> true
     | "false" -> false
     | "null" -> null
     | "today" -> today
     | "current_year" -> current_year
     | DERIVED -> derived
     | REF -> ref
     | FUNC "(" [or_ ("," or_)*] ")" -> call
     | "(" or_ ")"
?literal: NUMBER -> number | STRING -> string | REF -> code | "-" NUMBER -> neg_number
CMPOP: "==" | "!=" | "<=" | ">=" | "<" | ">"
ADDOP: "+" | "-"
MULOP: "*" | "/"
FUNC.2: /(sel|count|ans|if|min|max|coalesce|sum)(?=\s*\()/
DERIVED: /\$[A-Z][A-Z0-9_]*/
REF: /[A-Z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*/
NUMBER: /\d+(\.\d+)?/
STRING: /'[^']*'|"[^"]*"/
%import common.WS
%ignore WS
"""

_PARSER = Lark(GRAMMAR, parser="lalr", start="start")
FUNCTIONS = {"sel", "count", "ans", "if", "min", "max", "coalesce", "sum"}


class ConditionError(ValueError):
    """A condition that does not parse or refers to something that does not exist."""


@dataclass(frozen=True)
class Node:
    op: str
    args: tuple = ()
    value: object = None


@v_args(inline=True)
class _ToTree(Transformer):
    def number(self, tok):
        text = str(tok)
        return Node("lit", value=float(text) if "." in text else int(text))

    def neg_number(self, tok):
        return Node("lit", value=-self.number(tok).value)

    def string(self, tok):
        return Node("lit", value=str(tok)[1:-1])

    def code(self, tok):
        return Node("code", value=str(tok))

    def true(self):
        return Node("lit", value=True)

    def false(self):
        return Node("lit", value=False)

    def null(self):
        return Node("lit", value=None)

    def today(self):
        return Node("today")

    def current_year(self):
        return Node("current_year")

    def ref(self, tok):
        return Node("ref", value=str(tok))

    def derived(self, tok):
        return Node("ref", value=str(tok))

    def or_op(self, a, b):
        return Node("or", (a, b))

    def and_op(self, a, b):
        return Node("and", (a, b))

    def not_op(self, a):
        return Node("not", (a,))

    def neg(self, a):
        return Node("neg", (a,))

    def compare(self, a, op, b):
        return Node("cmp", (a, b), str(op))

    def arith(self, a, op, b):
        return Node("arith", (a, b), str(op))

    def in_op(self, a, *lits):
        return Node("in", (a, *lits))

    def not_in_op(self, a, *lits):
        return Node("not", (Node("in", (a, *lits)),))

    def call(self, name, *args):
        args = tuple(a for a in args if a is not None)
        return Node("call", args, str(name))


def parse(text: str) -> Node:
    try:
        return _ToTree().transform(_PARSER.parse(text))
    except VisitError as exc:  # pragma: no cover - transformer bugs surface as ConditionError
        raise ConditionError(str(exc.orig_exc)) from exc
    except LarkError as exc:
        raise ConditionError(_short_error(text, exc)) from exc


def _short_error(text: str, exc: LarkError) -> str:
    column = getattr(exc, "column", None)
    where = f" at column {column}" if column and column > 0 else ""
    token = getattr(exc, "token", None)
    found = f" near {str(token)!r}" if isinstance(token, Token) and str(token) else ""
    return f"cannot parse {text!r}{where}{found}"


def references(node: Node) -> set[str]:
    """Every item or derived-variable name a condition reads (sel's choice codes excluded)."""
    if node.op == "ref":
        return {node.value}
    found: set[str] = set()
    args = node.args[:1] if node.op == "call" and node.value == "sel" else node.args
    for child in args:
        if isinstance(child, Node):
            found |= references(child)
    return found


# ---------------------------------------------------------------- evaluation helpers
def _present(v) -> bool:
    return v is not None and v != "" and v != []


def _same(a, b) -> bool:
    if isinstance(a, str) != isinstance(b, str) and not isinstance(a, bool) and not isinstance(b, bool):
        return str(a) == str(_intish(b)) if isinstance(a, str) else str(_intish(a)) == str(b)
    return a == b


def _intish(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v


_CMP = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
Env = Mapping[str, object]
Fn = Callable[[Env], object]


@dataclass
class Compiler:
    """Turns a tree into a closure. `grids` maps a grid item code to its row keys (for count)."""

    grids: dict[str, list[str]] = field(default_factory=dict)

    def compile(self, node: Node) -> Fn:
        return getattr(self, "_c_" + node.op)(node)

    def _c_lit(self, node):
        value = node.value
        return lambda env: value

    def _c_code(self, node):
        value = node.value
        return lambda env: value

    def _c_today(self, node):
        return lambda env: dt.date.today()

    def _c_current_year(self, node):
        return lambda env: dt.date.today().year

    def _c_ref(self, node):
        name = node.value
        return lambda env: env.get(name)

    def _c_not(self, node):
        f = self.compile(node.args[0])

        def run(env):
            v = f(env)
            return None if v is None else not v

        return run

    def _c_and(self, node):
        f, g = (self.compile(a) for a in node.args)

        def run(env):
            a = f(env)
            if a is not None and not a:
                return False
            b = g(env)
            if b is not None and not b:
                return False
            return None if a is None or b is None else True

        return run

    def _c_or(self, node):
        f, g = (self.compile(a) for a in node.args)

        def run(env):
            a = f(env)
            if a:
                return True
            b = g(env)
            if b:
                return True
            return None if a is None or b is None else False

        return run

    def _c_neg(self, node):
        f = self.compile(node.args[0])

        def run(env):
            v = f(env)
            return None if v is None else -v

        return run

    def _c_cmp(self, node):
        f, g = (self.compile(a) for a in node.args)
        op = node.value
        if op in ("==", "!="):
            want = op == "=="

            def eq(env):
                a, b = f(env), g(env)
                if a is None or b is None:
                    return None
                return _same(a, b) == want

            return eq
        fn = _CMP[op]

        def run(env):
            a, b = f(env), g(env)
            if a is None or b is None:
                return None
            try:
                return fn(a, b)
            except TypeError:
                return None

        return run

    def _c_arith(self, node):
        f, g = (self.compile(a) for a in node.args)
        fn = _ARITH[node.value]

        def run(env):
            a, b = f(env), g(env)
            if a is None or b is None:
                return None
            try:
                return fn(a, b)
            except (TypeError, ZeroDivisionError):
                return None

        return run

    def _c_in(self, node):
        f = self.compile(node.args[0])
        options = [a.value for a in node.args[1:]]

        def run(env):
            v = f(env)
            if v is None:
                return None
            return any(_same(v, o) for o in options)

        return run

    def _c_call(self, node):
        return getattr(self, "_fn_" + node.value)(node.args)

    def _fn_sel(self, args):
        if len(args) < 2 or args[0].op != "ref":
            raise ConditionError("sel() takes an item and one or more choice codes: sel(A3.3, EE)")
        name = args[0].value
        codes = {str(_intish(a.value)) for a in args[1:]}

        def run(env):
            v = env.get(name)
            if v is None:
                return None
            values = v if isinstance(v, list) else [v]
            return any(str(x) in codes for x in values)

        return run

    def _fn_count(self, args):
        if len(args) != 1 or args[0].op != "ref":
            raise ConditionError("count() takes one item: count(A3.3)")
        name = args[0].value
        rows = self.grids.get(name)

        def run(env):
            if rows is not None:
                answered = [env.get(r) for r in rows]
                return sum(1 for v in answered if _present(v)) if any(v is not None for v in answered) else None
            v = env.get(name)
            if v is None:
                return None
            return len(v) if isinstance(v, list) else int(_present(v))

        return run

    def _fn_ans(self, args):
        if len(args) != 1 or args[0].op != "ref":
            raise ConditionError("ans() takes one item: ans(A1.4.1)")
        name = args[0].value
        return lambda env: _present(env.get(name))

    def _fn_if(self, args):
        if len(args) != 3:
            raise ConditionError("if() takes a condition and two values: if(c, a, b)")
        c, a, b = (self.compile(x) for x in args)

        def run(env):
            cond = c(env)
            if cond is None:
                return None
            return a(env) if cond else b(env)

        return run

    def _fn_coalesce(self, args):
        fs = [self.compile(x) for x in args]

        def run(env):
            for f in fs:
                v = f(env)
                if v is not None:
                    return v
            return None

        return run

    def _aggregate(self, args, fn):
        fs = [self.compile(x) for x in args]

        def run(env):
            values = [v for v in (f(env) for f in fs) if v is not None]
            return fn(values) if values else None

        return run

    def _fn_min(self, args):
        return self._aggregate(args, min)

    def _fn_max(self, args):
        return self._aggregate(args, max)

    def _fn_sum(self, args):
        return self._aggregate(args, sum)


def check_functions(node: Node) -> None:
    """Reject function calls the language does not know (the grammar only admits known names)."""
    if node.op == "call" and node.value not in FUNCTIONS:  # pragma: no cover - grammar guards it
        raise ConditionError(f"unknown function {node.value}()")
    for child in node.args:
        if isinstance(child, Node):
            check_functions(child)


@lru_cache(maxsize=4096)
def parse_cached(text: str) -> Node:
    return parse(text)


def compile_condition(text: str, *, known: set[str] | None = None, grids: dict | None = None) -> Fn:
    """Parse and compile `text`; with `known`, every reference must be one of those names."""
    node = parse_cached(text)
    if known is not None:
        unknown = sorted(references(node) - known)
        if unknown:
            raise ConditionError(f"{text!r} refers to unknown {', '.join(unknown)}")
    return Compiler(grids or {}).compile(node)


def truthy(value) -> bool:
    """A relevance condition that is missing counts as false."""
    return bool(value) if value is not None else False
