"""What a template's tags do, read before anything runs: the data they use and what the sandbox forbids.

An uploaded template is untrusted code. Everything the sandbox would only stop at render time is
found here at upload, in every tag at once: attributes starting with ``_``, filters that are not
documented (``|safe``, ``|attr``), calls (``.format()``, ``.items()``), globals other than a small
``range``, macros, includes and other statements than ``if``, ``for`` and ``set``. The same walk
collects every variable path the tags read and what each use implies of its type, from which the
template's data schema is derived.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from jinja2 import TemplateSyntaxError, nodes

from .environment import FILTERS, MAX_RANGE, WORDML

LIST = "[]"
"""The step of a path that stands for every item of a list: ``("deliverables", LIST, "name")``."""

_LEVEL = re.compile(r"^(\{[%#])(?:p|tr|tc|r)\s")
_STATEMENT = re.compile(r"^\{%-?\s*(\w+)\s*(.*?)\s*-?%\}$", re.S)
_EXPRESSION = re.compile(r"^\{\{-?\s*(.*?)\s*-?\}\}$", re.S)
_OPENS = {"for": "endfor", "if": "endif"}
_CELL_STATEMENTS = {"vm", "hm"}
_CELL_VALUES = {"colspan", "cellbg"}
_LOOP_FIELDS = {"index", "index0", "revindex", "revindex0", "first", "last", "length", "previtem", "nextitem"}
_KNOWN_GLOBALS = {"cycler", "joiner", "namespace", "lipsum", "dict", "range", "self", "caller", "varargs", "kwargs"}
"""Names Jinja gives a template of its own: none of them is data, and none is available."""
_FILTER_REFUSALS = {
    "safe": "|safe would let a value become raw WordprocessingML: values are always escaped",
    "attr": "|attr reads attributes the template cannot name directly: use a.b",
    "format": "|format is not available: write the text around the value",
}
_TYPE_TESTS = {
    "number": "number",
    "integer": "integer",
    "float": "number",
    "string": "text",
    "sequence": "list",
    "iterable": "list",
    "mapping": "object",
    "true": "boolean",
    "false": "boolean",
    "boolean": "boolean",
}
_ATTRIBUTE_AT = {"sum": 0, "join": 1, "min": 1, "max": 1, "unique": 1, "sort": 2}
"""Where each filter that reads items' fields takes the field's name among its positional arguments."""
_FILTER_TYPES = {
    "money": "money",
    "date": "date",
    "number": "number",
    "length": "list",
    "count": "list",
    "join": "list",
}


@dataclass(frozen=True)
class Tag:
    """One tag as its author typed it (smart quotes made plain), and where it is in the author's terms."""

    text: str
    location: str


@dataclass(frozen=True)
class TagProblem:
    """What is wrong with a tag, and the tag."""

    tag: Tag
    message: str


@dataclass(frozen=True)
class Use:
    """A variable path a tag reads, and the type that use implies: text, number, integer, boolean, date,
    money, list, object, or condition (only tested, so it may be absent)."""

    path: tuple[str, ...]
    implies: str
    tag: Tag
    examples: tuple[str, ...] = ()


@dataclass
class Analysis:
    """The uses and the problems of the tags of one part."""

    uses: list[Use] = field(default_factory=list)
    problems: list[TagProblem] = field(default_factory=list)


def analyse(tags: list[Tag]) -> Analysis:
    """Return what ``tags`` (one part's, in document order) use, and every problem they have."""
    analysis = Analysis()
    code: list[tuple[Tag, str]] = []
    for tag in tags:
        source = _jinja(tag, analysis)
        if source is not None:
            code.append((tag, source))
    if analysis.problems or not _balanced(code, analysis):
        _walk_each(code, analysis)
        return analysis
    lines, starts, line = [], [], 1
    for _tag, source in code:
        starts.append(line)
        lines.append(source)
        line += source.count("\n") + 1
    try:
        tree = WORDML.parse("\n".join(lines))
    except TemplateSyntaxError as exc:
        analysis.problems.append(TagProblem(_at(code, starts, exc.lineno), exc.message or str(exc)))
        return analysis
    _Walker(analysis, lambda lineno: _at(code, starts, lineno)).walk(tree.body, {})
    return analysis


def _walk_each(code: list[tuple[Tag, str]], analysis: Analysis) -> None:
    """Report the refusals of each tag on its own, when the part as a whole cannot be parsed.

    The uses found so are not kept: a loop variable read outside its loop would pass for data.
    """
    scratch = Analysis()
    scope: Scope = {}
    for tag, source in code:
        alone = _alone(source)
        if alone is None:
            continue
        body = WORDML.parse(alone).body
        _Walker(scratch, partial(_same, tag)).walk(body, scope)
        if body and isinstance(body[0], nodes.For):
            scope |= dict.fromkeys(_names(body[0].target))
    analysis.problems += scratch.problems


def _alone(source: str) -> str | None:
    """Return one tag's Jinja as a template of its own; None for a tag that only closes or continues a block."""
    statement = _STATEMENT.match(source)
    if statement is None:
        return source
    keyword, rest = statement.groups()
    probes = {"if": "{{ " + rest + " }}", "elif": "{{ " + rest + " }}", "for": source + "{% endfor %}", "set": source}
    return probes.get(keyword)


def _same(tag: Tag, _lineno: int) -> Tag:
    return tag


def _at(code: list[tuple[Tag, str]], starts: list[int], lineno: int) -> Tag:
    return code[max(bisect_right(starts, lineno) - 1, 0)][0]


def _jinja(tag: Tag, analysis: Analysis) -> str | None:
    """Return ``tag`` as plain Jinja (docxtpl's levels removed), None for a comment or a cell mark."""
    text = _LEVEL.sub(r"\1 ", tag.text)
    if text.startswith("{#"):
        return None
    if statement := _STATEMENT.match(text):
        keyword, rest = statement.groups()
        if keyword in _CELL_STATEMENTS:
            return None
        if keyword in _CELL_VALUES:
            return _checked(tag, "{{ " + rest + " }}", analysis)
        if keyword in ("for", "if", "elif", "set"):
            closing = {"for": "{% endfor %}", "if": "{% endif %}", "elif": ""}.get(keyword, "")
            probe = "{{ " + rest + " }}" if keyword in ("if", "elif") else text + closing
            return text if _checked(tag, probe, analysis) is not None else None
        if keyword in ("else", "endif", "endfor"):
            return text
        analysis.problems.append(
            TagProblem(tag, f"{{% {keyword} %}} is not allowed: templates use if, for and set only")
        )
        return None
    if _EXPRESSION.match(text):
        return _checked(tag, text, analysis)
    analysis.problems.append(TagProblem(tag, "is not a complete tag"))
    return None


def _checked(tag: Tag, source: str, analysis: Analysis) -> str | None:
    try:
        WORDML.parse(source)
    except TemplateSyntaxError as exc:
        analysis.problems.append(TagProblem(tag, exc.message or str(exc)))
        return None
    return source


def _balanced(code: list[tuple[Tag, str]], analysis: Analysis) -> bool:
    """Check that every if and for is closed in order; report each that is not."""
    open_blocks: list[tuple[str, Tag]] = []
    before = len(analysis.problems)
    for tag, source in code:
        statement = _STATEMENT.match(source)
        keyword = statement.group(1) if statement else ""
        if keyword in _OPENS:
            open_blocks.append((keyword, tag))
        elif keyword in ("endfor", "endif"):
            if open_blocks and _OPENS[open_blocks[-1][0]] == keyword:
                open_blocks.pop()
            else:
                expected = f" (the open block is {{% {open_blocks[-1][0]} %}})" if open_blocks else ""
                analysis.problems.append(TagProblem(tag, f"{{% {keyword} %}} closes nothing{expected}"))
        elif keyword in ("else", "elif") and not open_blocks:
            analysis.problems.append(TagProblem(tag, f"{{% {keyword} %}} is outside any if or for"))
    for keyword, tag in open_blocks:
        analysis.problems.append(TagProblem(tag, f"is never closed: add {{% {_OPENS[keyword]} %}}"))
    return len(analysis.problems) == before


Scope = dict[str, tuple[str, ...] | None]
"""The names a tag can see that are not data: loop variables (bound to the list's path) and set names."""


class _Walker:
    """Walks a parsed part, tracking which names are loop variables, recording uses and refusals."""

    def __init__(self, analysis: Analysis, tag_at: Callable[[int], Tag]):
        self._analysis, self._tag_at = analysis, tag_at

    def walk(self, body: list[nodes.Node], scope: Scope) -> None:
        for node in body:
            self._statement(node, scope)

    def _statement(self, node: nodes.Node, scope: Scope) -> None:
        if isinstance(node, nodes.For):
            if node.recursive:
                self._refuse(node, "recursive loops are not allowed")
            if not isinstance(node.target, nodes.Name):
                self._refuse(node, "a loop takes one name for each item: {% for d in deliverables %}")
            iterated = self._expression(node.iter, scope, "list")
            inner = dict(scope)
            for name in _names(node.target):
                inner[name] = (
                    (*iterated, LIST) if iterated is not None and isinstance(node.target, nodes.Name) else None
                )
            inner["loop"] = ("loop",)
            if node.test is not None:
                self._expression(node.test, inner, "condition")
            self.walk(node.body, inner)
            self.walk(node.else_, scope)
        elif isinstance(node, nodes.If):
            self._expression(node.test, scope, "condition")
            self.walk(node.body, scope)
            for branch in node.elif_:
                self._statement(branch, scope)
            self.walk(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            self._expression(node.node, scope, "text")
            for name in _names(node.target):
                scope[name] = None
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self._expression(child, scope, "text")
        else:
            self._refuse(node, f"{type(node).__name__.lower()} is not allowed in a template")

    def _expression(self, node: nodes.Node, scope: Scope, implies: str) -> tuple[str, ...] | None:
        """Record the uses in ``node``; return the data path ``node`` itself reads, if it is one."""
        if isinstance(node, nodes.Name):
            return self._name(node, scope, implies)
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            return self._lookup(node, scope, implies)
        if isinstance(node, nodes.Filter):
            return self._filter(node, scope, implies)
        if isinstance(node, nodes.Test):
            self._expression(node.node, scope, _TYPE_TESTS.get(node.name, "condition"))
            self._children(node.args + [kw.value for kw in node.kwargs], scope)
            return None
        if isinstance(node, nodes.Call):
            self._call(node, scope)
            return None
        if isinstance(node, nodes.Compare):
            constants = [op.expr.value for op in node.ops if isinstance(op.expr, nodes.Const)]
            kind = "number" if any(_is_number(c) for c in constants) else "text"
            examples = tuple(str(c) for c in constants if isinstance(c, str))
            self._use(node.expr, scope, kind, examples)
            for op in node.ops:
                self._use(op.expr, scope, kind, examples)
            return None
        if isinstance(node, (nodes.And, nodes.Or, nodes.Not, nodes.CondExpr)):
            self._children(list(node.iter_child_nodes()), scope, "condition")
            return None
        if isinstance(node, nodes.Mod) and isinstance(node.left, nodes.Const) and isinstance(node.left.value, str):
            self._refuse(node, "formatting text with % is not allowed: write the text around the value")
            return None
        if isinstance(node, (nodes.BinExpr, nodes.Neg, nodes.Pos)):
            self._children(list(node.iter_child_nodes()), scope, "text" if isinstance(node, nodes.Add) else "number")
            return None
        self._children(list(node.iter_child_nodes()), scope)
        return None

    def _use(self, node: nodes.Node, scope: Scope, implies: str, examples: tuple[str, ...]) -> None:
        path = self._expression(node, scope, implies)
        if path is not None and examples:
            self._analysis.uses.append(Use(path, implies, self._tag_at(node.lineno), examples))

    def _children(self, children: Sequence[nodes.Node], scope: Scope, implies: str = "text") -> None:
        for child in children:
            if isinstance(child, nodes.Node):
                self._expression(child, scope, implies)

    def _name(self, node: nodes.Name, scope: Scope, implies: str) -> tuple[str, ...] | None:
        if node.name in scope:
            bound: tuple[str, ...] | None = scope[node.name]
            return bound
        if node.name in _KNOWN_GLOBALS:
            self._refuse(node, f"{node.name} is not available in templates")
            return None
        if node.name.startswith("_"):
            self._refuse(node, f"{node.name}: names starting with _ are not allowed")
            return None
        path = (node.name,)
        self._analysis.uses.append(Use(path, implies, self._tag_at(node.lineno)))
        return path

    def _lookup(self, node: nodes.Getattr | nodes.Getitem, scope: Scope, implies: str) -> tuple[str, ...] | None:
        if isinstance(node, nodes.Getattr):
            key: object = node.attr
        elif isinstance(node.arg, nodes.Const):
            key = node.arg.value
        else:
            self._expression(node.arg, scope, "text")
            key = None
        if isinstance(key, str) and key.startswith("_"):
            self._refuse(node, f".{key}: attributes starting with _ are not allowed")
            return None
        base = self._expression(node.node, scope, "object" if isinstance(key, str) else "list")
        if base is None:
            return None
        if base == ("loop",):
            if key not in _LOOP_FIELDS:
                self._refuse(node, f"loop.{key} is not available (loop.index, loop.first, loop.last ... are)")
            return None
        if isinstance(key, int) and not isinstance(key, bool):
            return (*base, LIST)  # items[0].name: a field of the list's items
        if not isinstance(key, str):
            return None
        path = (*base, key)
        self._analysis.uses.append(Use(path, implies, self._tag_at(node.lineno)))
        return path

    def _filter(self, node: nodes.Filter, scope: Scope, implies: str) -> tuple[str, ...] | None:
        if node.name not in FILTERS:
            refusal = _FILTER_REFUSALS.get(node.name, f"|{node.name} is not a filter (see the documented filters)")
            self._refuse(node, refusal)
        named = [keyword.value for keyword in node.kwargs if keyword.key == "attribute"]
        positional = node.args[_ATTRIBUTE_AT[node.name] :][:1] if node.name in _ATTRIBUTE_AT else []
        for attribute in named + positional:
            if not (
                isinstance(attribute, nodes.Const)
                and isinstance(attribute.value, str)
                and not attribute.value.startswith("_")
            ):
                self._refuse(node, f"|{node.name} takes a field name written in the template, not starting with _")
        self._children(node.args + [kw.value for kw in node.kwargs], scope)
        if node.node is None:
            return None
        path = self._expression(node.node, scope, _FILTER_TYPES.get(node.name, "text"))
        if path is not None and node.name == "default":
            self._analysis.uses.append(Use(path, "condition", self._tag_at(node.lineno)))
        return None

    def _call(self, node: nodes.Call, scope: Scope) -> None:
        if isinstance(node.node, nodes.Name) and node.node.name == "range" and "range" not in scope:
            numbers = [arg.value for arg in node.args if isinstance(arg, nodes.Const)]
            if node.kwargs or len(numbers) != len(node.args) or not all(isinstance(n, int) for n in numbers):
                self._refuse(node, "range() takes whole numbers written in the template")
            elif not 1 <= len(numbers) <= 3 or (len(numbers) == 3 and numbers[2] == 0):
                self._refuse(node, "range() takes a start, a stop and a step")
            elif len(range(*numbers)) > MAX_RANGE:
                self._refuse(node, f"range() gives at most {MAX_RANGE} numbers")
            return
        if isinstance(node.node, nodes.Getattr) and node.node.attr == "format":
            self._refuse(node, ".format() is not allowed: write the text around the value")
        elif isinstance(node.node, nodes.Name) and node.node.name in _KNOWN_GLOBALS and node.node.name not in scope:
            self._refuse(node, f"{node.node.name}() is not available in templates")
        else:
            self._refuse(node, "calls are not allowed: use the documented filters")
        self._children(node.args + [kw.value for kw in node.kwargs], scope)

    def _refuse(self, node: nodes.Node, message: str) -> None:
        self._analysis.problems.append(TagProblem(self._tag_at(node.lineno), message))


def _names(target: nodes.Node) -> Iterator[str]:
    if isinstance(target, nodes.Name):
        yield target.name
    elif isinstance(target, nodes.Tuple):
        for item in target.items:
            yield from _names(item)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
