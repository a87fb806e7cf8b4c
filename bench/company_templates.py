"""Company-template benchmark: publishing a 30-page template, and rendering it, against docxtpl.

The template is built here with python-docx: a 30-page master services agreement (about 600
paragraphs of clauses with tags, a deliverables table looping over 20 rows, header and footer), the
kind a legal team uploads. Timed, per operation (median of several batches, interleaved):

* publish (vet+derive+compile+trial)  ``prepare()``: what an upload costs: every part vetted, the
                                        data schema derived, the template compiled and rendered
                                        once with sample data.
* compile                              ``CompiledTemplate(content)`` alone.
* docxtpl: read tags                   **Baseline** for upload: ``DocxTemplate(file)`` and
                                        ``get_undeclared_template_variables()``, the nearest thing
                                        docxtpl does to checking a template.
* render (engine)                      ``compiled.render(context)``: the template compiled once.
* docxtpl: render+save                 **Baseline**: ``DocxTemplate(file).render(context)`` and
                                        ``.save()`` per document, as docxtpl is used.

Before timing, both renders are checked to give the same visible text.

    .venv/bin/python -m bench.company_templates            # about a minute on 2 cores
    .venv/bin/python -m bench.company_templates --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from io import BytesIO

import docx
import docxtpl
from docxtpl import DocxTemplate

from freelance import catalog
from freelance.catalog import CONTROLLED
from freelance.company.publishing import prepare
from freelance.documents import CompiledTemplate
from freelance.documents.environment import WORDML

CLAUSES = 120  # 5 paragraphs each: about 30 pages in Word's default layout
ROWS = 20


def template_file() -> bytes:
    """A 30-page master services agreement with tags, as a legal team writes one."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Master services agreement {{ agreement_number }}"
    document.sections[0].footer.paragraphs[0].text = "{{ client.name }} and {{ supplier.name }}: confidential"
    document.add_heading("Master services agreement {{ agreement_number }}", 0)
    document.add_paragraph(
        "This agreement is made on {{ effective_date }} between {{ client.name }} and {{ supplier.name }}."
    )
    for number in range(1, CLAUSES + 1):
        document.add_heading(f"{number}. Clause {number}", 2)
        document.add_paragraph(
            f"{number}.1 The Supplier shall perform the Services for {{{{ client.name }}}} with reasonable skill and "
            "care, in accordance with good industry practice and the Specification, and shall comply with every "
            "applicable law, regulation and policy that the Client notifies to it in writing from time to time."
        )
        document.add_paragraph(
            f"{number}.2 Fees of {{{{ charges|money }}}} are payable within {{{{ payment_days }}}} days of a valid "
            "invoice, and the Supplier may not suspend the Services for late payment unless the Client fails to "
            "pay an undisputed amount within thirty days after a written reminder."
        )
        document.add_paragraph(
            f"{number}.3 {{% if region == 'EMEA' %}}The laws of England apply.{{% else %}}The laws of New York "
            "apply.{% endif %} Each party submits to the exclusive jurisdiction of the courts named above."
        )
        document.add_paragraph(
            f"{number}.4 Notices go to {{{{ supplier.contact }}}} at {{{{ supplier.email }}}}, and are deemed "
            "received on the next business day after sending."
        )
    table = document.add_table(rows=3, cols=3)
    for cells, texts in zip(
        (row.cells for row in table.rows),
        (
            ["{%tr for d in deliverables %}", "", ""],
            ["{{ d.name }}", "{{ d.due|date }}", "{{ d.price|money }}"],
            ["{%tr endfor %}", "", ""],
        ),
    ):
        for cell, text in zip(cells, texts):
            cell.text = text
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def context() -> dict:
    """The data the agreement is rendered with (the shapes both engines read alike)."""
    return {
        "agreement_number": "MSA-2027-014",
        "effective_date": "2027-01-04",
        "client": {"name": "Contoso Ltd"},
        "supplier": {"name": "Angstrom Design LLC", "contact": "Zoe Angstrom", "email": "zoe@angstrom.example"},
        "charges": {"amount": "48000", "currency": "USD"},
        "payment_days": 30,
        "region": "EMEA",
        "deliverables": [
            {"name": f"Deliverable {i}", "due": "2027-03-01", "price": {"amount": "2400", "currency": "USD"}}
            for i in range(ROWS)
        ],
        "locale": "en-US",
    }


def visible_text(content: bytes) -> list[str]:
    document = docx.Document(BytesIO(content))
    return [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]


def timed(cases: dict[str, Callable[[], object]], batches: int, seconds: float) -> dict[str, float]:
    """Return each case's median seconds per call, batches taken in turns."""
    sizes = {}
    for name, run in cases.items():
        start = time.perf_counter()
        run()
        sizes[name] = max(1, int(seconds / max(time.perf_counter() - start, 1e-6)))
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(batches):
        for name, run in cases.items():
            start = time.perf_counter()
            for _ in range(sizes[name]):
                run()
            samples[name].append((time.perf_counter() - start) / sizes[name])
    return {name: statistics.median(times) for name, times in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    content, values = template_file(), context()
    compiled = CompiledTemplate(content, controlled=CONTROLLED)

    def docxtpl_render() -> bytes:
        template = DocxTemplate(BytesIO(content))
        template.render(values, jinja_env=WORDML, autoescape=True)
        out = BytesIO()
        template.save(out)
        return out.getvalue()

    ours, theirs = visible_text(compiled.render(values)), visible_text(docxtpl_render())
    if ours != theirs:
        sys.exit("the engine and docxtpl disagree on the rendered text: nothing timed")
    pages = len(docx.Document(BytesIO(content)).paragraphs) / 20
    batches, seconds = (3, 0.3) if args.quick else (9, 1.0)
    upload = timed(
        {
            "publish (vet+derive+compile+trial)": lambda: (catalog.compiled.cache_clear(), prepare(content, None)),
            "compile": lambda: CompiledTemplate(content, controlled=CONTROLLED),
            "docxtpl: read tags": lambda: DocxTemplate(BytesIO(content)).get_undeclared_template_variables(WORDML),
        },
        batches,
        seconds,
    )
    render = timed(
        {"render (engine)": lambda: compiled.render(values), "docxtpl: render+save": docxtpl_render}, batches, seconds
    )
    print(
        f"template: {len(content) // 1024} KB, about {pages:.0f} pages, {ROWS} table rows; docxtpl {docxtpl.__version__}"
    )
    for name, median in (upload | render).items():
        print(f"{name:38} {median * 1000:9.1f} ms")
    print(
        f"publish vs docxtpl reading the tags: {upload['publish (vet+derive+compile+trial)'] / upload['docxtpl: read tags']:.2f}x the time"
    )
    print(f"render: engine {render['docxtpl: render+save'] / render['render (engine)']:.1f}x faster than docxtpl")


if __name__ == "__main__":
    main()
