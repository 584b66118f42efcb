"""The little of Excel's formula language that score workbooks use, read without Excel.

MIPEX's workbook computes its strand and overall figures with formulas such as
``=AVERAGE(E16,((H16+K16)/2),W16)``. Two things are read from them:

* :func:`coefficients` — the formula as a weighted sum of cells (``E: 1/3, H: 1/6, …``):
  the workbook's own statement of how much each indicator counts;
* :func:`evaluate` — its value from the cells' values, for a workbook saved without cached
  results (files written by a program rather than by Excel).

Only numbers, cell references (``A1``, ``$A$1``), ``+ - * /``, parentheses and the
functions ``AVERAGE`` and ``SUM`` are understood. Anything else (ranges, other functions,
other sheets, text) raises :class:`FormulaError`, so that nothing is guessed: the caller
reports the cell.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<ref>\$?[A-Z]{1,3}\$?\d+)"
                   r"|(?P<fn>[A-Z]+)\s*\(|(?P<op>[-+*/(),]))")
FUNCTIONS = ("AVERAGE", "SUM")


class FormulaError(ValueError):
    """The formula uses something this reader does not understand."""


def _tokens(text: str) -> list[tuple[str, str]]:
    text = text.strip()
    if text.startswith("="):
        text = text[1:]
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = TOKEN.match(text, pos)
        if not m:
            raise FormulaError(f"cannot read '{text[pos:pos + 20]}'")
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "fn" and value.upper() not in FUNCTIONS:
            raise FormulaError(f"the function {value} is not supported")
        out.append((kind, value.replace("$", "").upper() if kind in ("ref", "fn") else value))
        pos = m.end()
    return out


def split_ref(ref: str) -> tuple[str, int]:
    """``"AB12"`` → ``("AB", 12)``."""
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", ref.strip().upper())
    if not m:
        raise FormulaError(f"'{ref}' is not a cell reference")
    return m.group(1), int(m.group(2))


class _Parser:
    """Recursive descent over the tokens; ``leaf`` turns a number or a reference into a
    value of the caller's algebra (a float, or a linear form)."""

    def __init__(self, tokens, algebra):
        self.tokens, self.i, self.a = tokens, 0, algebra

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise FormulaError(f"expected '{value}'" if value else "unexpected end")
        self.i += 1
        return tok

    def parse(self):
        out = self.expr()
        if self.i != len(self.tokens):
            raise FormulaError(f"unexpected '{self.peek()[1]}'")
        return out

    def expr(self):
        out = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            rhs = self.term()
            out = self.a.add(out, rhs) if op == "+" else self.a.add(out, self.a.scale(rhs, -1.0))
        return out

    def term(self):
        out = self.factor()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            rhs = self.factor()
            out = self.a.mul(out, rhs) if op == "*" else self.a.div(out, rhs)
        return out

    def factor(self):
        kind, value = self.peek()
        if value == "-":
            self.take()
            return self.a.scale(self.factor(), -1.0)
        if value == "+":
            self.take()
            return self.factor()
        if kind == "num":
            self.take()
            return self.a.number(float(value))
        if kind == "ref":
            self.take()
            return self.a.ref(value)
        if kind == "fn":
            self.take()
            args = [self.arg()]
            while self.peek()[1] == ",":
                self.take(",")
                args.append(self.arg())
            self.take(")")
            return self.a.call(value, args)
        if value == "(":
            self.take("(")
            out = self.expr()
            self.take(")")
            return out
        raise FormulaError(f"unexpected '{value}'" if value else "unexpected end")

    def arg(self):
        """A function argument: a bare reference is kept apart (AVERAGE skips blank ones)."""
        kind, value = self.peek()
        nxt = self.tokens[self.i + 1][1] if self.i + 1 < len(self.tokens) else None
        if kind == "ref" and nxt in (",", ")"):
            self.take()
            return ("bare", value)
        return ("expr", self.expr())


class _Values:
    """Evaluation with Excel's rules: a blank cell is 0 in arithmetic, and AVERAGE/SUM skip
    arguments that are blank or text references."""

    def __init__(self, lookup):
        self.lookup = lookup

    def number(self, x):
        return x

    def ref(self, ref):
        v = self.lookup(ref)
        if v is None:
            return 0.0
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise FormulaError(f"{ref} is not a number")
        return float(v)

    def add(self, a, b):
        return a + b

    def scale(self, a, k):
        return a * k

    def mul(self, a, b):
        return a * b

    def div(self, a, b):
        if b == 0:
            raise FormulaError("division by zero")
        return a / b

    def call(self, fn, args):
        nums = []
        for kind, v in args:
            if kind == "bare":
                x = self.lookup(v)
                if isinstance(x, (int, float)) and not isinstance(x, bool):
                    nums.append(float(x))
            else:
                nums.append(v)
        if fn == "SUM":
            return sum(nums)
        if not nums:
            raise FormulaError("AVERAGE of nothing")
        return sum(nums) / len(nums)


class _Linear:
    """Symbolic evaluation: a value is ``{cell: coefficient}`` plus a constant under ``""``.
    AVERAGE divides by its number of arguments (every argument assumed present)."""

    def number(self, x):
        return {"": x}

    def ref(self, ref):
        return {ref: 1.0}

    def add(self, a, b):
        out = dict(a)
        for k, v in b.items():
            out[k] = out.get(k, 0.0) + v
        return out

    def scale(self, a, k):
        return {key: v * k for key, v in a.items()}

    def _const(self, a):
        if set(a) - {""}:
            raise FormulaError("a product of two cells is not a weighted sum")
        return a.get("", 0.0)

    def mul(self, a, b):
        if set(a) - {""}:
            return self.scale(a, self._const(b))
        return self.scale(b, self._const(a))

    def div(self, a, b):
        k = self._const(b)
        if k == 0:
            raise FormulaError("division by zero")
        return self.scale(a, 1.0 / k)

    def call(self, fn, args):
        forms = [{v: 1.0} if kind == "bare" else v for kind, v in args]
        total = {}
        for f in forms:
            total = self.add(total, f)
        return total if fn == "SUM" else self.scale(total, 1.0 / len(forms))


def evaluate(formula: str, lookup) -> float:
    """The formula's value; ``lookup(ref)`` gives a cell's value (None when blank)."""
    return _Parser(_tokens(formula), _Values(lookup)).parse()


def coefficients(formula: str) -> dict[str, float]:
    """The formula as a weighted sum: cell reference → coefficient. Raises
    :class:`FormulaError` when it is not one (a constant term, a product of cells…)."""
    form = _Parser(_tokens(formula), _Linear()).parse()
    if abs(form.pop("", 0.0)) > 1e-12:
        raise FormulaError("the formula adds a constant")
    return {k: v for k, v in form.items() if abs(v) > 1e-12}


def shape(formula: str) -> str:
    """The formula with row numbers and spaces removed: ``=AVERAGE(E16, H16)`` →
    ``=AVERAGE(E,H)``; formulas of the same shape compute the same thing on their rows."""
    return re.sub(r"\$?([A-Z]{1,3})\$?\d+", r"\1", formula).replace(" ", "").upper()
