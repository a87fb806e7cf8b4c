"""docxtpl compatibility: how many of docxtpl's own test templates the engine renders identically, and how fast.

Each case of ``../shared/peer-templates/docxtpl`` (see its README) is compiled and rendered with
``CompiledTemplate(template).render(context)``; the output's paragraphs, read per part as the
README says, are compared with what docxtpl 0.20.2 produced. A template counts as identical when
every part matches; a case that expects an error counts when the engine refuses the template
(TemplateInvalid). Parts are counted too.

Then, per template, the time to compile and render once (median of several runs): the engine
against ``DocxTemplate(BytesIO(template)).render(context, autoescape=True)`` and ``.save(BytesIO())``,
when docxtpl is importable (it is not a dependency: without it the comparison is skipped).

    .venv/bin/python -m bench.peer_templates            # 15 runs per template and engine
    .venv/bin/python -m bench.peer_templates --quick    # 3 runs
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from lxml import etree

from freelance.documents import CompiledTemplate, TemplateInvalid

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "peer-templates" / "docxtpl"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def paragraphs(document: bytes, part: str) -> list[str]:
    """Each paragraph's visible text in ``part``: w:t joined, w:tab as a tab, w:br as a newline."""
    with zipfile.ZipFile(BytesIO(document)) as archive:
        root = etree.fromstring(archive.read(part))
    shown = {f"{W}tab": "\t", f"{W}br": "\n"}
    return [
        "".join(shown.get(node.tag, node.text or "") for node in p.iter(f"{W}t", f"{W}tab", f"{W}br"))
        for p in root.iter(f"{W}p")
    ]


def engine_render(template: bytes, context: dict[str, Any]) -> bytes:
    return CompiledTemplate(template).render(context)


def docxtpl_render(template: bytes, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    document = DocxTemplate(BytesIO(template))
    document.render(context, autoescape=True)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def compare(case: dict[str, Any], template: bytes) -> tuple[bool, int, int]:
    """Return whether the engine matches the case, and how many of its parts match out of how many."""
    if "expected_error" in case:
        try:
            CompiledTemplate(template)
        except TemplateInvalid:
            return True, 0, 0
        return False, 0, 0
    rendered = engine_render(template, case["context"])
    matching = sum(paragraphs(rendered, part) == expected for part, expected in case["expected"].items())
    return matching == len(case["expected"]), matching, len(case["expected"])


def median_seconds(render, template: bytes, context: dict[str, Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render(template, context)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 timing runs per template instead of 15")
    args = parser.parse_args()
    runs = 3 if args.quick else 15
    if not PEERS.is_dir():
        sys.exit(f"docxtpl's test templates are not beside the project ({PEERS})")
    try:
        import docxtpl

        baseline = f"docxtpl {docxtpl.__version__}"
    except ImportError:
        baseline = ""

    identical = parts = parts_identical = 0
    cases = sorted(PEERS.glob("*.json"))
    print(
        f"{'template':<26}{'same':>6}{'parts':>8}{'engine ms':>11}"
        + (f"{baseline + ' ms':>18}{'ratio':>8}" * bool(baseline))
    )
    for path in cases:
        case = json.loads(path.read_text("utf-8"))
        template = (PEERS / case["template"]).read_bytes()
        same, matching, total = compare(case, template)
        identical += same
        parts += total
        parts_identical += matching
        line = f"{path.stem:<26}{'yes' if same else 'NO':>6}{f'{matching}/{total}':>8}"
        if "expected_error" in case:
            print(line + "   (expects an error: not timed)")
            continue
        engine = median_seconds(engine_render, template, case["context"], runs)
        line += f"{engine * 1000:11.2f}"
        if baseline:
            theirs = median_seconds(docxtpl_render, template, case["context"], runs)
            line += f"{theirs * 1000:18.2f}{theirs / engine:7.1f}x"
        print(line)
    print(f"{identical} of {len(cases)} identical; {parts_identical} of {parts} parts identical")
    print(f"(compile + render once per template, median of {runs} runs, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
