"""The Jinja environments templates render in: sandboxed, strict, escaping every value, bounded.

Templates may be uploaded by anyone a tenant trusts with its wording, so they are untrusted code:
- only the documented filters exist (``FILTERS``), and ``range`` is the only global;
- every value passes through escape(): what a user typed is text, never markup;
- a render runs within a ``Budget``: loop iterations, time and the size of values are bounded, so
  a template that loops 10^8 times or builds a gigabyte string stops with ``BudgetSpent``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import StrictUndefined, Template, nodes, pass_context, pass_eval_context
from jinja2.filters import FILTERS as _BUILTIN_FILTERS
from jinja2.filters import do_batch, sync_do_slice
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape, soft_str

from ..values import Money, locale_for
from .formatting import written_date, written_money, written_number

DEFAULT_LOCALE = "en-US"
_WORD_LINE_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NON_BREAKING_HYPHEN = "\u2011"
_ENGLISH_ARTICLE = frozenset(
    [
        "AE",
        "BS",
        "CF",
        "CK",
        "DO",
        "FK",
        "FO",
        "GB",
        "GM",
        "IM",
        "KM",
        "KY",
        "MH",
        "MV",
        "NL",
        "PH",
        "SB",
        "SC",
        "TC",
        "US",
        "VA",
        "VG",
        "VI",
    ]
)
"""Countries whose English name takes "the" in a sentence."""
_WORD_NON_BREAKING_HYPHEN = Markup('</w:t><w:noBreakHyphen/><w:t xml:space="preserve">')

MAX_RANGE = 1000
"""The most numbers ``range()`` gives."""
MAX_VALUE = 1_000_000
"""The most characters (or items) one value may grow to while a template computes it."""
MAX_NUMBER_BITS = 4096
"""The most bits a whole number may grow to (about 1,200 digits) while a template computes it."""


class BudgetSpent(RuntimeError):
    """A render went past its budget: too many loop iterations, too long, or too large a value."""


class Budget:
    """What one render may spend: loop iterations, seconds of wall-clock time, characters of output."""

    def __init__(
        self, iterations: int = 1_000_000, seconds: float = 5.0, output: int = 100_000_000, kept: int = 50_000_000
    ):
        self.iterations, self.output, self.kept = iterations, output, kept
        self.seconds, self._deadline = seconds, time.monotonic() + seconds

    def loop(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Yield ``iterable``'s items, each counted against the budget."""
        for item in iterable:
            self.iterations -= 1
            if self.iterations < 0:
                raise BudgetSpent("the template loops too many times")
            if not self.iterations & 1023:
                self.check_time()
            yield item

    def spend_output(self, characters: int) -> None:
        """Count ``characters`` of output; raise BudgetSpent past the budget."""
        self.output -= characters
        if self.output < 0:
            raise BudgetSpent("the document would be too large")
        self.check_time()

    def keep(self, value: Any) -> Any:
        """Count the size of a value a ``{% set %}`` keeps, all of a render's together; return it."""
        if isinstance(value, (str, list, tuple, dict)):
            self.kept -= len(value)
            if self.kept < 0:
                raise BudgetSpent("the template keeps too much text in {% set %} values")
        return value

    def check_time(self) -> None:
        if time.monotonic() > self._deadline:
            raise BudgetSpent(f"the template took longer than {self.seconds:g} seconds")


_BUDGET: ContextVar[Budget | None] = ContextVar("render_budget", default=None)


@contextmanager
def budgeted(budget: Budget) -> Iterator[Budget]:
    """Run the renders inside the block within ``budget``."""
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _current_budget() -> Budget:
    """The render's Budget; outside budgeted() (a shipped file name), a fresh one for each use."""
    return _BUDGET.get() or Budget()


def _bounded_loop(iterable: Iterable[Any]) -> Iterator[Any]:
    return _current_budget().loop(iterable)


def _kept(value: Any) -> Any:
    return _current_budget().keep(value)


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise BudgetSpent(f"range() gives at most {MAX_RANGE} numbers")
    return numbers


def _written(context: Context, value: Any) -> str:
    """Return ``value`` as a contract writes it: money and dates per the context's locale, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Money):
        return written_money(value, _locale(context))
    if isinstance(value, date):
        return written_date(value, _locale(context))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _locale(context: Context) -> str:
    return str(context.get("locale") or DEFAULT_LOCALE)


def _money(context: Context, value: Any, currency: str | None = None) -> str:
    """``{{ fee|money }}``: an amount as currency (Money, {amount, currency}, or a number and a currency code)."""
    if isinstance(value, Money):
        money = value
    elif isinstance(value, dict) and {"amount", "currency"} <= value.keys():
        money = Money(_decimal(value["amount"]), str(value["currency"]))
    elif currency:
        money = Money(_decimal(value), str(currency))
    else:
        raise ValueError("money needs an amount and a currency: give the currency, e.g. amount|money('EUR')")
    try:
        return written_money(money, _locale(context))
    except (ValueError, InvalidOperation) as exc:
        raise ValueError(f"{money.currency!r} is not a currency code") from exc


def _date(context: Context, value: Any, style: str = "long") -> str:
    """``{{ start|date }}``: a date (or ISO 8601 text) in words; style short, medium, long or full."""
    if style not in ("short", "medium", "long", "full"):
        raise ValueError("date's style is one of short, medium, long, full")
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return format_date(day, format=style, locale=locale_for(_locale(context)))


def _number(context: Context, value: Any, decimals: int | None = None) -> str:
    """``{{ hours|number }}``: a number grouped per locale (1,200.5); ``decimals`` fixes the decimals (1,200.50)."""
    number = _decimal(value)
    if decimals is None:
        return written_number(number, _locale(context))
    places = min(max(int(decimals), 0), 10)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(number, format=pattern, locale=locale_for(_locale(context)), decimal_quantization=True)


def _country(context: Context, code: Any, article: bool = False) -> str:
    """``{{ freelancer.country|country }}``: an ISO 3166-1 code as the country's name in the document's language;
    ``country(article=true)`` for a sentence, with the article English needs ("resident in the United States")."""
    locale = locale_for(_locale(context))
    code = str(code).upper()
    name = str(locale.territories.get(code, code))
    return f"the {name}" if article and locale.language == "en" and code in _ENGLISH_ARTICLE else name


def _nobreak(value: Any) -> str:
    """``{{ sow_number|nobreak }}``: the value's hyphens non-breaking, so a reference never splits across lines."""
    return str(value).replace("-", _NON_BREAKING_HYPHEN)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{str(value)[:40]!r} is not a number") from None


def _too_long(size: int) -> None:
    if size > MAX_VALUE:
        raise BudgetSpent(f"a value would be longer than {MAX_VALUE:,} characters")


@pass_eval_context
def _replace(eval_context: EvalContext, text: Any, old: Any, new: Any, count: int | None = None) -> str:
    """Jinja's replace, refusing a result that could pass MAX_VALUE before computing it."""
    _too_long(len(str(text)) * max(1, len(str(new))) + len(str(new)))
    return cast(str, _BUILTIN_FILTERS["replace"](eval_context, text, old, new, count))


def _grouped(name: str) -> Callable[..., Any]:
    """Jinja's slice or batch, in at most MAX_RANGE groups (or of at most MAX_RANGE items)."""
    grouping = {"slice": sync_do_slice, "batch": do_batch}[name]

    def grouped(value: Any, count: int, fill_with: Any = None) -> Any:
        if not isinstance(count, int) or not 1 <= count <= MAX_RANGE:
            raise BudgetSpent(f"{name} takes a whole number from 1 to {MAX_RANGE}")
        return list(grouping(list(_current_budget().loop(value)), count, fill_with))

    return grouped


@pass_eval_context
def _join(eval_context: EvalContext, items: Iterable[Any], separator: str = "", attribute: Any = None) -> str:
    """Jinja's join, refusing a result longer than MAX_VALUE before computing it."""
    items = list(_current_budget().loop(items))
    _too_long(sum(len(str(item)) for item in items) + len(items) * len(str(separator)))
    return cast(str, _BUILTIN_FILTERS["join"](eval_context, items, separator, attribute))


FILTERS: dict[str, str] = {
    "money": "an amount as currency: fee|money, or rate|money('EUR')",
    "date": "a date in words: start|date, or start|date('short')",
    "number": "a number grouped per locale: hours|number, or hours|number(2)",
    "written": "a value as a contract writes it (money, dates per locale)",
    "country": "a country code as its name: freelancer.country|country, or country(article=true) in a sentence",
    "nobreak": "a reference whose hyphens never break a line: sow_number|nobreak",
    "upper": "UPPER CASE",
    "lower": "lower case",
    "title": "Title Case",
    "capitalize": "First letter capital",
    "trim": "without surrounding spaces",
    "truncate": "shortened: text|truncate(80)",
    "replace": "text|replace('old', 'new')",
    "default": "a value when the field is empty: po|default('none')",
    "d": "short for default",
    "length": "how many items (or characters)",
    "count": "same as length",
    "first": "the first item",
    "last": "the last item",
    "join": "items joined: skills|join(', ')",
    "sort": "items sorted: items|sort(attribute='name')",
    "reverse": "items in reverse order",
    "unique": "items without repeats",
    "sum": "the sum: lines|sum(attribute='amount')",
    "min": "the smallest item",
    "max": "the largest item",
    "round": "a number rounded: x|round(2)",
    "abs": "a number without its sign",
    "int": "a whole number",
    "float": "a decimal number",
    "string": "the value as text",
    "list": "the value as a list",
    "batch": "items in groups: items|batch(3)",
    "slice": "items in columns: items|slice(3)",
    "wordcount": "the number of words",
}
"""The filters a template may use, each with what it does: the only ones that exist."""


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox with only documented filters, a bounded ``range``, and bounded ``*``, ``**``, ``+`` and ``~``."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise BudgetSpent("formatting text with % is not available: write the text around the value")
        if operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise BudgetSpent("a power above 100 is too large")
        if isinstance(left, int) and isinstance(right, int):
            # Python's whole numbers have no upper bound: (((9**100)**100)**100)**100 or a
            # product squared tag after tag would compute for minutes, between two time checks.
            bits = {"**": left.bit_length() * right, "*": left.bit_length() + right.bit_length()}.get(operator, 0)
            if bits > MAX_NUMBER_BITS:
                raise BudgetSpent("a number would be too large")
        if operator == "*" and (isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))):
            sized, times = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
            if isinstance(times, int):
                _too_long(len(sized) * times)
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            _too_long(len(left) + len(right))
        return super().call_binop(context, operator, left, right)

    def bounded_template(self, source: str) -> Template:
        """Compile ``source`` with every loop counted against the render's Budget."""
        tree = _BoundedConcat().visit(self.parse(source))
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name("_bounded_loop", "load"), [loop.iter], [], None, None)
        for assignment in tree.find_all(nodes.Assign):
            assignment.node = nodes.Call(nodes.Name("_kept", "load"), [assignment.node], [], None, None)
        return self.template_class.from_code(self, self.compile(tree), self.make_globals(None), None)


class _BoundedConcat(NodeTransformer):
    """Turns ``a ~ b`` into a call of ``_concat``: a tag doubling a value set after set is bounded too."""

    def visit_Concat(self, node: nodes.Concat) -> nodes.Call:
        self.generic_visit(node)
        return nodes.Call(nodes.Name("_concat", "load"), node.nodes, [], None, None, lineno=node.lineno)


@pass_eval_context
def _concat(eval_context: EvalContext, *values: Any) -> str:
    """Jinja's ``~``, refusing a result longer than MAX_VALUE before computing it."""
    texts = [soft_str(value) for value in values]
    _too_long(sum(len(text) for text in texts))
    return markup_join(texts) if eval_context.autoescape else str_join(texts)


def _environment(finalize: Callable[[Context, Any], str], autoescape: bool = True) -> _Environment:
    env = _Environment(
        autoescape=autoescape,
        undefined=StrictUndefined,
        finalize=finalize,
        keep_trailing_newline=True,
        auto_reload=False,
        optimized=False,  # the optimizer would run filters on constants at compile time, outside any Budget
    )
    env.filters = {name: _BUILTIN_FILTERS[name] for name in FILTERS if name in _BUILTIN_FILTERS}
    env.filters |= {
        "money": pass_context(_money),
        "date": pass_context(_date),
        "number": pass_context(_number),
        "written": pass_context(_written),
        "country": pass_context(_country),
        "nobreak": _nobreak,
        "replace": _replace,
        "slice": _grouped("slice"),
        "batch": _grouped("batch"),
        "join": _join,
    }
    env.globals = {"range": _range, "_bounded_loop": _bounded_loop, "_concat": _concat, "_kept": _kept}
    return env


@pass_context
def _finalize_wordml(context: Context, value: Any) -> Markup:
    # Values always pass through escape(): whatever a user typed is text, never markup or code.
    # A line break in a value (an address) becomes a Word line break inside the same run, and a
    # non-breaking hyphen (U+2011, from the nobreak filter) Word's own, which every font can show.
    text = _written(context, value)
    if _NON_BREAKING_HYPHEN in text:
        return _WORD_NON_BREAKING_HYPHEN.join(
            _finalize_wordml(context, part) for part in text.split(_NON_BREAKING_HYPHEN)
        )
    if "\n" not in text and "\r" not in text:
        return escape(text)
    return _WORD_LINE_BREAK.join(escape(line) for line in _LINE_BREAK.split(text))


@pass_context
def _finalize_line(context: Context, value: Any) -> str:
    return " ".join(_LINE_BREAK.split(_written(context, value)))


@pass_context
def _finalize_xml_line(context: Context, value: Any) -> Markup:
    return escape(_finalize_line(context, value))


WORDML = _environment(_finalize_wordml)
"""For WordprocessingML parts, where values sit inside ``<w:t>``."""

XML_LINE = _environment(_finalize_xml_line)
"""For other XML parts (document properties): values on one line, escaped."""

TEXT_LINE = _environment(_finalize_line, autoescape=False)
"""For plain text such as file names: values on one line, not escaped (never written as XML)."""
