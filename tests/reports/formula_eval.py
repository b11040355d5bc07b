"""A small evaluator of the formulas the XLSX export writes: numbers, cell references and ranges (on any
sheet), + - * / and parentheses, SUM and SUMPRODUCT. Enough to recompute the audit sheets in a test
without a spreadsheet program; anything else raises."""

from __future__ import annotations

import re

TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<ref>(?:'(?:[^']|'')+'!|[A-Za-z_][\w ]*!)?\$?[A-Z]{1,3}\$?\d+"
    r"(?::\$?[A-Z]{1,3}\$?\d+)?)|(?P<name>[A-Z]+)(?=\()|(?P<op>[-+*/(),]))"
)


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class FormulaBook:
    def __init__(self, book):
        self.book = book

    def value(self, sheet: str, coordinate: str):
        raw = self.book[sheet][coordinate].value
        if isinstance(raw, str) and raw.startswith("="):
            return Formula(self, sheet, raw[1:]).evaluate()
        return raw

    def cells(self, sheet: str, first: str, last: str) -> list:
        (c1, r1), (c2, r2) = (_split(first), _split(last))
        return [self.value(sheet, f"{_letters(col)}{row}") for row in range(r1, r2 + 1) for col in range(c1, c2 + 1)]


def _split(coordinate: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", coordinate).groups()
    return _column(letters), int(digits)


def _letters(column: int) -> str:
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


class Formula:
    def __init__(self, book: FormulaBook, sheet: str, text: str):
        self.book, self.sheet = book, sheet
        self.tokens, position = [], 0
        text = text.strip()
        while position < len(text):
            found = TOKEN.match(text, position)
            if not found or found.end() == position:
                raise ValueError(f"cannot read {text[position:]!r}")
            kind = found.lastgroup
            self.tokens.append((kind, found.group(kind)))
            position = found.end()
        self.at = 0

    def evaluate(self):
        value = self._sum()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.at]}")
        return value

    def _peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

    def _take(self, op=None):
        token = self._peek()
        if op is not None and token != ("op", op):
            raise ValueError(f"expected {op}, got {token}")
        self.at += 1
        return token

    def _sum(self):
        value = self._product()  # a range stays a range unless arithmetic follows
        while self._peek() in (("op", "+"), ("op", "-")):
            sign = self._take()[1]
            right = _number(self._product())
            value = _number(value) + right if sign == "+" else _number(value) - right
        return value

    def _product(self):
        value = self._unary()
        while self._peek() in (("op", "*"), ("op", "/")):
            op = self._take()[1]
            right = _number(self._unary())
            value = _number(value) * right if op == "*" else _number(value) / right
        return value

    def _unary(self):
        if self._peek() == ("op", "-"):
            self._take()
            return -_number(self._unary())
        return self._atom()

    def _atom(self):
        kind, text = self._take()
        if kind == "number":
            return float(text)
        if kind == "ref":
            return self._reference(text)
        if kind == "name":
            self._take("(")
            arguments = [self._sum()]
            while self._peek() == ("op", ","):
                self._take()
                arguments.append(self._sum())
            self._take(")")
            return self._call(text, arguments)
        if (kind, text) == ("op", "("):
            value = self._sum()
            self._take(")")
            return value
        raise ValueError(f"unexpected {text!r}")

    def _reference(self, text: str):
        sheet = self.sheet
        if "!" in text:
            sheet, text = text.rsplit("!", 1)
            sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
        if ":" in text:
            return self.book.cells(sheet, *text.split(":"))
        return self.book.value(sheet, text.replace("$", ""))

    @staticmethod
    def _call(name: str, arguments: list):
        if name == "SUM":
            return sum(_number(v) for argument in arguments for v in _flat(argument))
        if name == "SUMPRODUCT":
            columns = [_flat(argument) for argument in arguments]
            if len({len(c) for c in columns}) != 1:
                raise ValueError("SUMPRODUCT ranges differ in size")
            total = 0.0
            for values in zip(*columns, strict=True):
                product = 1.0
                for value in values:
                    product *= _number(value)
                total += product
            return total
        raise ValueError(f"function {name} is not supported")


def _flat(value) -> list:
    return value if isinstance(value, list) else [value]


def _number(value) -> float:
    if isinstance(value, list):
        raise ValueError("a range where a number was expected")
    if value is None or value == "":
        return 0.0  # an empty cell counts 0, as in spreadsheet programs
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"not a number: {value!r}")
    return float(value)
