"""Rendering within a budget: a hostile template stops with RenderLimit, before it allocates, and
touches no other render.

No test measures time: each hostile template would run for minutes or take gigabytes if it were not
stopped, so a test that finishes is the proof.
"""

from __future__ import annotations

import threading
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import pytest

from freelance.documents import CompiledTemplate
from freelance.documents.environment import Budget
from freelance.documents.package import RenderLimit
from tests.documents.docx_files import make_docx
from tests.reading import text_of

MiB = 1024 * 1024

THREE_DEEP_OVER_ITEMS = (
    "{% for a in items %}{% for b in items %}{% for c in items %}.{% endfor %}{% endfor %}{% endfor %}"
)


def compiled(*paragraphs: str) -> CompiledTemplate:
    return CompiledTemplate(make_docx(*paragraphs))


def test_three_nested_ranges_of_a_thousand_stop_with_render_limit():
    template = compiled(
        "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}"
    )

    with pytest.raises(RenderLimit, match="loops too many times"):
        template.render({})


def test_loops_over_data_nested_three_deep_stop_with_render_limit():
    with pytest.raises(RenderLimit, match="loops too many times"):
        compiled(THREE_DEEP_OVER_ITEMS).render({"items": list(range(300))})


S = "x" * 100
GROWING = [
    pytest.param("{{ 'x' * 10**9 }}", {}, "longer than 1,000,000 characters", id="string-times-a-billion"),
    pytest.param("{{ 10**9 * 'x' }}", {}, "longer than 1,000,000 characters", id="a-billion-times-a-string"),
    pytest.param("{{ [1] * 10**7 }}", {}, "longer than 1,000,000 characters", id="list-times-ten-million"),
    pytest.param(
        "{{ s|replace('x', s)|replace('x', s)|replace('x', s)|replace('x', s) }}",
        {"s": S},
        "longer than 1,000,000 characters",
        id="replace-chain",
    ),
    pytest.param(
        "{{ big|join(big_sep) }}",
        {"big": ["a"] * 1000, "big_sep": "-" * 10_000},
        "longer than 1,000,000 characters",
        id="join-with-a-long-separator",
    ),
    pytest.param("{{ 9 ** 1000 }}", {}, "a power above 100 is too large", id="power-above-100"),
    # each power is at most 100, but the number grows past any use
    pytest.param("{{ (((9 ** 100) ** 100) ** 100) ** 100 > 1 }}", {}, "a number would be too large", id="power-tower"),
    # one tag per step, no loop: only the size of each result can stop it
    pytest.param(
        "{% set n = 9 ** 100 %}" + "{% set n = n * n %}" * 30 + "{{ n > 1 }}",
        {},
        "a number would be too large",
        id="number-squared-tag-after-tag",
    ),
    pytest.param(
        "{% set s = 'xxxxxxxx' %}" + "{% set s = s ~ s %}" * 30,
        {},
        "longer than 1,000,000 characters",
        id="text-doubled-with-tilde",
    ),
    pytest.param(
        "{% set s = 'xxxxxxxx' %}" + "{% set s = s + s %}" * 30,
        {},
        "longer than 1,000,000 characters",
        id="text-doubled-with-plus",
    ),
]


@pytest.mark.parametrize(("tag", "context", "says"), GROWING)
def test_a_value_that_would_grow_too_large_stops_with_render_limit(tag, context, says):
    with pytest.raises(RenderLimit, match=says):
        compiled(tag).render(context)


@pytest.mark.parametrize(("tag", "context", "says"), GROWING)
def test_a_value_too_large_is_refused_before_it_is_allocated(tag, context, says):
    template = compiled(tag)
    tracemalloc.start()
    try:
        with pytest.raises(RenderLimit):
            template.render(context)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 20 * MiB  # the values refused would take from 10 MB to far beyond memory


def test_output_past_the_budget_stops_with_render_limit():
    template = compiled("{{ clause }}")

    with pytest.raises(RenderLimit, match="the document would be too large"):
        template.render({"clause": "a" * 2000}, Budget(output=1000))


def test_a_render_past_its_time_stops_with_the_time_message():
    template = compiled("{% for a in range(1000) %}{% for b in range(1000) %}{{ a }}{% endfor %}{% endfor %}")

    with pytest.raises(RenderLimit, match="the template took longer than 0 seconds"):
        template.render({}, Budget(seconds=0.0))


def test_a_template_renders_again_after_a_render_that_went_past_its_budget():
    template = compiled("Before", THREE_DEEP_OVER_ITEMS, "After")

    with pytest.raises(RenderLimit):
        template.render({"items": list(range(300))})
    rendered = template.render({"items": [1, 2, 3]})

    assert text_of(rendered) == "Before\n" + "." * 27 + "\nAfter"


def test_a_budget_is_per_render_so_a_hostile_render_does_not_starve_a_concurrent_one():
    template = compiled("Before", THREE_DEEP_OVER_ITEMS, "After")
    both_started = threading.Barrier(2)

    def hostile() -> list[str]:
        both_started.wait()
        failures = []
        for _ in range(3):
            with pytest.raises(RenderLimit) as stopped:
                template.render({"items": list(range(300))})
            failures.append(str(stopped.value))
        return failures

    def normal() -> list[str]:
        both_started.wait()
        # a budget that one hostile render would spend many times over if budgets were shared
        return [text_of(template.render({"items": [1, 2, 3]}, Budget(iterations=100))) for _ in range(30)]

    with ThreadPoolExecutor(2) as pool:
        stopped, rendered = pool.submit(hostile), pool.submit(normal)
        failures, texts = stopped.result(), rendered.result()

    assert all("loops too many times" in failure for failure in failures)
    assert texts == ["Before\n" + "." * 27 + "\nAfter"] * 30


def test_a_whole_number_is_written_plain_and_grouped_only_through_number():
    rendered = compiled("Year {{ value }}, {{ value|number }} hours").render({"value": 2023})

    assert text_of(rendered) == "Year 2023, 2,023 hours"


def test_a_normal_template_renders_within_the_default_budget():
    template = compiled(
        "{% for d in deliverables %}{{ loop.index }}. {{ d.name|upper }} {% endfor %}",
        "{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ 'a' ~ 'b' }} {{ 'c' + 'd' }} {{ 12345678901234567890 * 3 }}",
    )

    rendered = template.render({"deliverables": [{"name": "logo"}, {"name": "site"}]})

    assert text_of(rendered) == "1. LOGO 2. SITE \nababab 1024 ab cd 37037036703703703670"


def test_values_kept_by_many_set_tags_count_together():
    sets = "".join(f"{{% set a{i} = 'x' * 900000 %}}" for i in range(60))  # each below MAX_VALUE, 54 million together
    with pytest.raises(RenderLimit, match=r"keeps too much text in \{% set %\} values"):
        CompiledTemplate(make_docx(sets + "done")).render({})
