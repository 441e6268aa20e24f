"""Integer formulas over shape symbols, parsed and evaluated without `eval`.

Grammar (the whole language):
    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '//') unary)*
    unary  := '-' unary | atom
    atom   := INT | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
Functions: ceil_div(a, b), min(a, ...), max(a, ...). Division is floor division.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping, Union

from .errors import PlanError

Node = Union[int, str, tuple]
_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(//|[-+*(),]))")
_FUNCTIONS = {"ceil_div": 2, "min": -1, "max": -1}


def _tokenize(text: str) -> list[str]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise PlanError(f"formula {text!r}: unexpected character at {pos}: {text[pos:pos + 1]!r}")
        tokens.append(match.group(match.lastindex))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text, self.tokens, self.i = text, _tokenize(text), 0

    def fail(self, what: str) -> PlanError:
        return PlanError(f"formula {self.text!r}: {what}")

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise self.fail(f"expected {expected or 'a value'}, found {tok or 'end of formula'}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()!r}")
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            node = (self.take(), node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek() in ("*", "//"):
            node = (self.take(), node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek() == "-":
            self.take()
            return ("neg", self.unary())
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok.isdigit():
            return int(tok)
        if tok == "(":
            node = self.expr()
            self.take(")")
            return node
        if not (tok[0].isalpha() or tok[0] == "_"):
            raise self.fail(f"unexpected {tok!r}")
        if self.peek() != "(":
            return tok
        if tok not in _FUNCTIONS:
            raise self.fail(f"unknown function {tok!r} (known: ceil_div, min, max)")
        self.take("(")
        args = [self.expr()]
        while self.peek() == ",":
            self.take()
            args.append(self.expr())
        self.take(")")
        arity = _FUNCTIONS[tok]
        if arity > 0 and len(args) != arity:
            raise self.fail(f"{tok} takes {arity} arguments, got {len(args)}")
        return ("call", tok, tuple(args))


@lru_cache(maxsize=None)
def parse(text: str | int) -> Node:
    """Parse a formula (a string, or an int which is its own formula) into a tree."""
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise PlanError(f"formula {text!r}: must be an integer or a string")
    return text if isinstance(text, int) else _Parser(text).parse()


def symbols_of(node: Node) -> set[str]:
    """Names a formula tree refers to."""
    if isinstance(node, int):
        return set()
    if isinstance(node, str):
        return {node}
    if node[0] == "call":
        return set().union(*(symbols_of(a) for a in node[2]))
    return set().union(*(symbols_of(a) for a in node[1:]))


def _eval(node: Node, env: Mapping[str, int]) -> int:
    if isinstance(node, int):
        return node
    if isinstance(node, str):
        if node not in env:
            raise PlanError(f"formula refers to unknown symbol {node!r}")
        return env[node]
    op = node[0]
    if op == "neg":
        return -_eval(node[1], env)
    if op == "call":
        args = [_eval(a, env) for a in node[2]]
        if node[1] == "ceil_div":
            if args[1] == 0:
                raise PlanError("formula: ceil_div by zero")
            return -(-args[0] // args[1])
        return min(args) if node[1] == "min" else max(args)
    a, b = _eval(node[1], env), _eval(node[2], env)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise PlanError("formula: division by zero")
    return a // b


def evaluate(text: str | int, env: Mapping[str, int]) -> int:
    """Value of a formula with every symbol bound in env."""
    return _eval(parse(text), env)
