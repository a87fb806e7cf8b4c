"""Rendering benchmark: the engine against docxtpl and against the least a .docx writer must do.

All three render (or copy) templates/sow.docx for one validated SOW (10 deliverables, 4 milestones):

* engine         ``CompiledTemplate.render(context)``: the template was compiled once, at start-up.
                 A second line times ``Template.generate(model)``, which also builds the context
                 from the model, renders the file name and dumps the data for the record.
* docxtpl        ``DocxTemplate(BytesIO(template)).render(context, jinja_env=WORDML)`` and
                 ``.save(BytesIO())`` per document, as docxtpl is used: it re-parses the package and
                 recompiles the Jinja source every time. Same template file, same context, same
                 environment (its finalize reads ``locale`` from the context, which the SOW context
                 has). No adaptation was needed; docxtpl just does not add the engine's content
                 controls around freelancer fields, so its XML differs slightly.
* floor          the template zip rewritten unchanged with ``zipfile``: every member read and written
                 again with ZIP_DEFLATED into a BytesIO. Any generator that writes a .docx with
                 zipfile pays at least this; the engine keeps unchanged members pre-deflated, so it
                 can come in under it.
* raw copy       every member's compressed bytes copied as they are into a new zip (no inflate,
                 no deflate): the least any writer of this .docx could do. No goal; it shows what
                 rendering and deflating the changed parts cost on top of moving bytes.

Each time is the median of several batches (batch time / batch size) after a warm-up. The batches
of the five cases are interleaved round-robin so that background load hits them alike; "±" is half
the min-max range of the batches, relative to the median. The template file is read once: no disk
I/O is timed. ``--memory N`` then renders N documents (each with its own SOW number) and reads RSS
from /proc/self/status at 10%, 50% and 100%; tracemalloc is never used. ``--profile`` prints the
top cProfile entries of the engine render.

    .venv/bin/python -m bench.render            # full run (under ~3 minutes on 2 cores)
    .venv/bin/python -m bench.render --quick    # a few seconds of timing, --memory 1000
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import statistics
import struct
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

import docx  # python-docx
import docxtpl
from docxtpl import DocxTemplate

from freelance.catalog import Catalog
from freelance.documents.environment import WORDML
from freelance.documents.ziparchive import Member, pack

ROOT = Path(__file__).resolve().parent.parent

GOAL_VS_DOCXTPL = 30.0  # engine throughput / docxtpl throughput, at least
GOAL_VS_FLOOR = 4.0  # engine time / floor time, at most
FLAT_MB = 4.0  # RSS growth between 10% and 100% of the memory run that still counts as flat


def sow_data() -> dict:
    """A realistic SOW: every optional section present, 10 deliverables, 4 milestones = the fixed fee."""
    names = [
        "Discovery report",
        "Information architecture",
        "Design system",
        "High-fidelity mock-ups",
        "Customer portal front end",
        "Billing API integration",
        "Single sign-on",
        "Accessibility audit",
        "Load-test report",
        "Handover documentation",
    ]
    deliverables = [
        {
            "name": name,
            "description": f"{name} for the customer portal, covering the web and mobile breakpoints agreed in the "
            f"kick-off workshop.\nIncludes source files and a short walkthrough recording.",
            "due_date": f"2027-{2 + i // 2:02d}-{10 + 2 * (i % 2):02d}",
            "acceptance_criteria": f"The Client's product owner confirms the {name.lower()} meets the checklist "
            f"in the project brief (version 1.3) with no open severity-1 or severity-2 issues.",
        }
        for i, name in enumerate(names)
    ]
    milestones = [
        {"name": name, "due_date": day, "amount": amount}
        for name, day, amount in [
            ("Discovery and design complete", "2027-03-12", "9600.00"),
            ("Portal beta", "2027-04-30", "14400.00"),
            ("Integrations and SSO live", "2027-05-28", "14400.00"),
            ("Launch and handover", "2027-06-25", "9600.00"),
        ]
    ]
    return {
        "sow_number": "SOW-2027-014",
        "effective_date": "2027-01-04",
        "locale": "en-US",
        "governing_law": "the State of New York",
        "po_number": "PO-88123",
        "client": {
            "name": "Northwind Analytics, Inc.",
            "address": "350 Fifth Avenue, Suite 4100\nNew York, NY 10118",
            "signatory_name": "Dana Whitfield",
            "signatory_title": "VP Engineering",
            "email": "accounts@northwind.example",
        },
        "freelancer": {
            "name": "Maria Okafor",
            "business_name": "Okafor Digital LLC",
            "email": "maria@okafor.example",
            "phone": "+1 917 555 0142",
            "address": "81 Prospect Park West, Apt 3\nBrooklyn, NY 11215",
            "country": "US",
            "tax_id": "84-1234567",
            "rate": "120",
            "rate_unit": "hour",
            "currency": "USD",
            "skills": ["React", "TypeScript", "Accessibility"],
        },
        "project": {
            "title": "Customer portal redesign",
            "location": "Remote",
            "summary": "Redesign and rebuild the customer self-service portal: new design system, "
            "billing integration, single sign-on, and WCAG 2.2 AA accessibility.",
            "start_date": "2027-01-11",
            "end_date": "2027-06-30",
        },
        "in_scope": [
            "User research with up to 12 customers",
            "Design and front-end build of the portal",
            "Integration with the existing billing API",
            "Single sign-on with the Client's identity provider",
        ],
        "out_of_scope": ["Native mobile apps", "Content migration", "Hosting and 24/7 operations"],
        "deliverables": deliverables,
        "milestones": milestones,
        "fee": {"model": "fixed", "currency": "USD", "amount": "48000.00"},
        "payment_terms_days": 30,
    }


def batch_size(render, target_batch_s: float) -> int:
    """Warm ``render`` up and return how many calls take about ``target_batch_s``."""
    start = time.perf_counter()
    for _ in range(3):
        render()
    return max(1, round(target_batch_s / ((time.perf_counter() - start) / 3)))


def per_document(cases: dict, target_batch_s: float, repeats: int) -> dict[str, list[float]]:
    """Seconds per document of each case, one sample per batch (``repeats`` batches).

    The batches are interleaved round-robin, so background load on the machine hits every case alike.
    """
    sizes = {name: batch_size(render, target_batch_s) for name, render in cases.items()}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, render in cases.items():
            gc.collect()
            start = time.perf_counter()
            for _ in range(sizes[name]):
                render()
            samples[name].append((time.perf_counter() - start) / sizes[name])
    return samples


def docxtpl_render(template_bytes: bytes, context: dict) -> bytes:
    document = DocxTemplate(BytesIO(template_bytes))
    document.render(context, jinja_env=WORDML)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def zipfile_copy(template_bytes: bytes) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(template_bytes)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def raw_copy(template_bytes: bytes) -> bytes:
    """Copy every member's compressed bytes as they are (no inflate, no deflate) into a new zip."""
    members = []
    with zipfile.ZipFile(BytesIO(template_bytes)) as source:
        for info in source.infolist():
            name_length, extra_length = struct.unpack_from("<HH", template_bytes, info.header_offset + 26)
            start = info.header_offset + 30 + name_length + extra_length
            members.append(
                Member(info.filename, info.CRC, info.file_size, template_bytes[start : start + info.compress_size])
            )
    return pack(members)


def check_docx(content: bytes, who: str, expected: list[str] | None) -> None:
    """Fail loudly unless ``content`` is a sound .docx; with ``expected``, one holding that text and no tags."""
    with zipfile.ZipFile(BytesIO(content)) as archive:
        bad = archive.testzip()
        if bad is not None:
            sys.exit(f"{who}: member {bad} of the output is corrupt")
    document = docx.Document(BytesIO(content))
    if expected is None:
        return
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    missing = [value for value in expected if value not in text]
    if missing or "{{" in text or "{%" in text:
        sys.exit(f"{who}: output is wrong (missing {missing}, or tags left in the text)")


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # peak, not current (non-Linux)


def memory_run(compiled, context: dict, count: int) -> str:
    """Render ``count`` distinct documents; return the RSS line."""
    marks = {max(1, count // 10): "10%", max(1, count // 2): "50%", count: "100%"}
    readings = {}
    for i in range(1, count + 1):
        compiled.render(context | {"sow_number": f"SOW-2027-{i:06d}"})
        if i in marks:
            readings[marks[i]] = rss_mb()
    growth = readings["100%"] - readings["10%"]
    verdict = "flat" if growth < FLAT_MB else f"NOT flat: +{growth:.1f} MB"
    shown = "  ".join(f"{mark}: {mb:.1f} MB" for mark, mb in readings.items())
    return f"memory over {count} docs: {shown}  ({verdict})"


def profile(compiled, context: dict, count: int = 300, top: int = 10) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        compiled.render(context)
    profiler.disable()
    print(f"\ncProfile of {count} engine renders, top {top} by cumulative time:")
    pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(top)


def row(label: str, samples: list[float]) -> str:
    """One table line: median ms/doc, docs/s, and the spread of the batches (min-max around the median)."""
    seconds = statistics.median(samples)
    spread = (max(samples) - min(samples)) / 2 / seconds * 100
    return f"{label:<34}{seconds * 1000:8.2f} ms/doc {1 / seconds:7.0f} docs/s   ±{spread:.0f}%"


def print_table(samples: dict[str, list[float]]) -> None:
    """Print one line per case, then engine vs docxtpl (throughput) and engine vs floor (time)."""
    for label, times in samples.items():
        print(row(label, times))
    engine, _, baseline, floor, raw_floor = (statistics.median(times) for times in samples.values())
    speedup, over_floor = baseline / engine, engine / floor
    print(
        f"engine vs docxtpl: {speedup:.1f}x throughput (goal >= {GOAL_VS_DOCXTPL:.0f}x: "
        f"{'met' if speedup >= GOAL_VS_DOCXTPL else 'MISSED'})"
    )
    print(
        f"engine vs floor (zipfile copy): {over_floor:.2f}x time (goal <= {GOAL_VS_FLOOR:.0f}x: "
        f"{'met' if over_floor <= GOAL_VS_FLOOR else 'MISSED'})"
    )
    print(
        f"engine vs raw copy: {engine / raw_floor:.1f}x time (no goal: what rendering and deflating the"
        " changed parts cost over copying bytes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run: fewer, shorter batches; --memory 1000")
    parser.add_argument(
        "--memory", type=int, help="documents in the memory run (default 10000, 1000 with --quick; 0 skips)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print the top cProfile entries of the engine render"
    )
    args = parser.parse_args()
    batch_s, repeats = (0.15, 3) if args.quick else (0.5, 11)
    memory = args.memory if args.memory is not None else (1000 if args.quick else 10_000)

    template_bytes = (ROOT / "templates" / "sow.docx").read_bytes()
    template = Catalog(ROOT / "templates")["sow"]
    data = sow_data()
    model = template.validate(data)
    context = model.context()
    expected = [data["deliverables"][-1]["name"], "$48,000.00", "January 4, 2027"]
    check_docx(template.compiled.render(context), "engine", expected)
    check_docx(docxtpl_render(template_bytes, context), "docxtpl", expected)
    check_docx(zipfile_copy(template_bytes), "floor", None)
    check_docx(raw_copy(template_bytes), "raw copy", None)

    samples = per_document(
        {
            "engine (render)": lambda: template.compiled.render(context),
            "engine (context+render+filename)": lambda: template.generate(model),
            f"docxtpl {docxtpl.__version__} (per-doc parse)": lambda: docxtpl_render(template_bytes, context),
            "floor (zipfile copy)": lambda: zipfile_copy(template_bytes),
            "raw copy (compressed members)": lambda: raw_copy(template_bytes),
        },
        batch_s,
        repeats,
    )
    print(
        f"SOW, {len(data['deliverables'])} deliverables, {len(data['milestones'])} milestones"
        f" (median of {repeats} batches, Python {sys.version.split()[0]})"
    )
    print_table(samples)
    if memory:
        print(memory_run(template.compiled, context, memory))
    if args.profile:
        profile(template.compiled, context)


if __name__ == "__main__":
    main()
