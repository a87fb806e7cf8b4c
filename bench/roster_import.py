"""Roster import benchmark: rows per second and memory of ``import_roster`` against reading the same file.

A roster of N freelancers (default 50,000; realistic, varied values: accented names, business names,
multi-line addresses, rates written "$45.00/hr" or "350", skills lists, profile URLs) is written once
as CSV (UTF-8 with BOM) and as .xlsx (openpyxl, write-only) into a temporary folder. Then each case
runs in a fresh child process, so that one case's heap does not inflate the next one's numbers:

* floor        the file read with plain ``csv.reader`` / openpyxl ``read_only`` ``iter_rows(values_only=True)``,
               every row touched, nothing validated or written: what any importer pays at least.
* hold         the same reading, every row kept in a list: what holding the sheet once in memory costs.
* import       ``freelance.roster.importing.import_roster`` into a fresh SQLite file (upgraded with the
               migrations, an app-free ``Roster``), or into a fresh PostgreSQL schema with ``--postgres URL``.
* import N/5   the import of the first fifth of the rows, for the scaling of memory with file size.

Memory: RSS is read from /proc/self/statm by a sampler thread every 5 ms; "growth" is the peak RSS
during the case minus the RSS just before it (after imports, engine and file setup); "ru_maxrss" is
the child's peak resident set over its whole life (getrusage). tracemalloc is never used.

The import streams when each extra row (from N/5 to N rows) grows its memory by well under what
each row costs when the sheet is held in a list ("hold"); the verdict line says which, with the
bytes per row of both. (A fixed part, compiled validators and statement caches, is paid once.)

    .venv/bin/python -m bench.roster_import                  # 50,000 rows (a few minutes)
    .venv/bin/python -m bench.roster_import --quick          # 5,000 rows
    .venv/bin/python -m bench.roster_import --rows 20000 --postgres postgresql+psycopg://root@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STREAMS_IF_BELOW = 0.5
"""The import streams if each extra row grows it by less than this fraction of what each row costs "hold"."""
LINEAR_BELOW = 1.3
"""The import's time is linear in the rows if a row at N costs less than this times a row at N/5."""
JUDGE_FROM = 20_000
"""Below this many rows the memory of the rows is lost in allocator noise: no streaming verdict."""
"""The import's time is linear in the rows if a row at N costs less than this times a row at N/5."""

_FIRST = [
    "Zoë",
    "José",
    "Björn",
    "Aiko",
    "Oluwaseun",
    "Priya",
    "Łukasz",
    "Mei",
    "Hannah",
    "Mateo",
    "Sofía",
    "Kwame",
    "Ingrid",
    "Rahul",
    "Chloé",
    "Dmitri",
    "Fatima",
    "Liam",
    "Noor",
    "Tomás",
    "Yuki",
    "Amara",
    "Lars",
    "Camille",
]
_LAST = [
    "Angstrom",
    "García",
    "Nguyen",
    "Müller",
    "O'Connor",
    "Okafor",
    "Kowalski",
    "Tanaka",
    "Dubois",
    "Silva",
    "Johansson",
    "Patel",
    "Rossi",
    "Van der Berg",
    "Kim",
    "Hernández",
    "Novak",
    "Mensah",
    "Smith",
    "Ahmed",
]
_SUFFIX = ["Design LLC", "Studio", "Consulting GmbH", "Digital Ltd", "Creative S.L.", "Labs", "& Co", "Partners BV"]
_PLACES = [
    ("US", "Pike Street", "Seattle, WA 98101", "+1 206 555 {n:04d}", "$"),
    ("GB", "Baker Street", "London NW1 6XE", "+44 20 7946 {n:04d}", "£"),
    ("DE", "Torstraße", "10119 Berlin", "+49 30 901820{n:02d}", "€"),
    ("ES", "Calle Mayor", "28013 Madrid", "+34 91 123 {n:04d}", "€"),
    ("IN", "MG Road", "Bengaluru 560001", "+91 80 4000 {n:04d}", "₹"),
    ("JP", "Chuo-dori", "Tokyo 104-0061", "+81 3 1234 {n:04d}", "¥"),
    ("NG", "Awolowo Road", "Ikoyi, Lagos", "+234 1 270 {n:04d}", "$"),
    ("BR", "Avenida Paulista", "São Paulo SP 01310-100", "+55 11 3000 {n:04d}", "$"),
]
_CURRENCY = {"$": "USD", "£": "GBP", "€": "EUR", "₹": "INR", "¥": "JPY"}
_SKILLS = [
    "Branding",
    "Logo design",
    "Figma",
    "Illustration",
    "Python",
    "Django",
    "React",
    "TypeScript",
    "Copywriting",
    "SEO",
    "Data analysis",
    "Power BI",
    "Excel",
    "Video editing",
    "Motion graphics",
    "UX research",
    "Translation",
    "Kubernetes",
    "AWS",
    "Technical writing",
    "Photography",
    "3D modelling",
    "Project management",
    "Salesforce",
]
HEADER = [
    "Full name",
    "Business name",
    "E-mail",
    "Phone",
    "Address",
    "Country code",
    "Tax ID",
    "Hourly rate",
    "Currency",
    "Skills",
    "Profile URL",
    "Status",
]


def roster_rows(count: int, seed: int = 2027):
    """Yield ``count`` valid, varied roster rows (strings), the header first."""
    rng = random.Random(seed)
    yield HEADER
    for i in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        country, street, city, phone, symbol = rng.choice(_PLACES)
        ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode().lower()
        ascii_name = ascii_name.replace(" ", "").replace("'", "")
        rate = rng.choice([rng.randint(15, 180), round(rng.uniform(15, 180), 2), rng.randint(200, 900)])
        daily = isinstance(rate, int) and rate >= 200
        places = 0 if symbol == "¥" else 2  # yen have no minor unit
        amount = f"{rate:.{places}f}"
        shown = (f"{symbol}{amount}/day" if daily else f"{symbol}{amount}/hr") if rng.random() < 0.5 else amount
        yield [
            f"{first} {last}",
            f"{last} {rng.choice(_SUFFIX)}" if rng.random() < 0.4 else "",
            f"{ascii_name}.{i}@{rng.choice(['example.org', 'mail.example', 'studio.example'])}",
            phone.format(n=i % 10_000 if "{n:04d}" in phone else i % 100) if rng.random() < 0.8 else "",
            f"{rng.randint(1, 400)} {street}" + ("\n" if rng.random() < 0.5 else ", ") + city,
            country,
            f"{country}{rng.randint(10**8, 10**9 - 1)}" if rng.random() < 0.5 else "",
            shown,
            _CURRENCY[symbol],
            rng.choice([", ", "; "]).join(rng.sample(_SKILLS, rng.randint(1, 6))),
            f"https://www.upwork.com/freelancers/~01{uuid.UUID(int=rng.getrandbits(128)).hex[:18]}",
            "inactive" if rng.random() < 0.1 else "active",
        ]


def write_files(folder: Path, count: int) -> dict[str, Path]:
    """Write the roster as CSV and .xlsx in ``folder``; return their paths by format."""
    from openpyxl import Workbook

    paths = {"csv": folder / f"roster-{count}.csv", "xlsx": folder / f"roster-{count}.xlsx"}
    with paths["csv"].open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows(roster_rows(count))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    for row in roster_rows(count):
        sheet.append(row)
    workbook.save(paths["xlsx"])
    return paths


# --- the child: one case, measured -------------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self._done = _rss(), threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.005):
            self.peak = max(self.peak, _rss())

    def stop(self) -> int:
        self._done.set()
        self.join()
        return max(self.peak, _rss())


def _read(path: Path, keep: bool) -> int:
    """Read every row of the file as plain values; keep them all if ``keep``. Returns the data rows."""
    kept, count = [], 0
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as file:
            for row in csv.reader(file):
                count += 1
                if keep:
                    kept.append(row)
    else:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                count += 1
                if keep:
                    kept.append(row)
        finally:
            workbook.close()
    return count - 1


def run_case(case: str, path: Path, database: str | None) -> dict:
    """Run one case in this process and return its measurements."""
    import openpyxl  # noqa: F401  (loaded before the baseline RSS, like the app's modules)

    from freelance.database import connect, upgrade
    from freelance.roster.importing import import_roster
    from freelance.roster.service import Roster

    engine = None
    if case == "import":
        engine = connect(database)
        upgrade(engine)
        roster = Roster(engine)

        def work() -> int:
            with path.open("rb") as stream:
                counts = import_roster(roster, "bench", stream, path.name).counts
            if counts.created != expected:
                raise SystemExit(f"import created {counts.created} of {expected} rows: {counts}")
            return counts.created

        expected = _read(path, keep=False)
    else:

        def work() -> int:
            return _read(path, keep=case == "hold")

    gc.collect()
    before = _rss()
    sampler = _Sampler()
    sampler.start()
    started = time.perf_counter()
    rows = work()
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    if engine is not None:
        engine.dispose()
    return {
        "rows": rows,
        "seconds": seconds,
        "before": before,
        "peak": peak,
        "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def _child(case: str, path: Path, database: str | None) -> dict:
    command = [sys.executable, __file__, "--case", case, "--file", str(path)]
    if database:
        command += ["--database", database]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"case {case} on {path.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


# --- the parent: files, databases, table ------------------------------------------------------


def _postgres_schema(url: str, name: str, create: bool) -> str:
    """Create (or drop) schema ``name`` and return ``url`` with it as the search path."""
    from sqlalchemy import create_engine, make_url, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        if create:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    return make_url(url).update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)


def _mb(value: float) -> str:
    return f"{value / 1024 / 1024:7.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="roster size (default 50000)")
    parser.add_argument("--quick", action="store_true", help="5000 rows")
    parser.add_argument("--postgres", metavar="URL", help="also import into a fresh schema of this PostgreSQL database")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.file, args.database)))
        return

    count = 5_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as temp:
        folder = Path(temp)
        started = time.perf_counter()
        files, fifth = write_files(folder, count), write_files(folder, max(count // 5, 1))
        print(
            f"Roster import: {count:,} rows; CSV {_mb(files['csv'].stat().st_size).strip()}, "
            f".xlsx {_mb(files['xlsx'].stat().st_size).strip()} (written in {time.perf_counter() - started:.1f} s)"
        )
        print(
            f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; each case in a fresh process\n"
        )
        print(f"{'case':<34}{'seconds':>9}{'rows/s':>10}{'vs floor':>10}{'RSS growth':>13}{'ru_maxrss':>13}")
        databases = [("SQLite", lambda tag: f"sqlite:///{folder / f'{tag}.db'}")]
        if args.postgres:
            databases.append(
                ("PostgreSQL", lambda tag: _postgres_schema(args.postgres, f"bench_roster_{os.getpid()}_{tag}", True))
            )
        verdicts, timings = [], []
        for format in ("csv", "xlsx"):
            floor = _child("floor", files[format], None)
            hold = _child("hold", files[format], None)
            rows = [
                (f"{format:<5}floor ({'csv.reader' if format == 'csv' else 'openpyxl read-only'})", floor),
                (f"{format:<5}hold (every row in a list)", hold),
            ]
            for label, database in databases:
                whole = _child("import", files[format], database(f"{format}_all"))
                part = _child("import", fifth[format], database(f"{format}_fifth"))
                rows += [(f"{format:<5}import ({label})", whole), (f"{format:<5}import ({label}), N/5", part)]
                grow, small = whole["peak"] - whole["before"], part["peak"] - part["before"]
                per_row = max(grow - small, 0) / (whole["rows"] - part["rows"])
                held_per_row = (hold["peak"] - hold["before"]) / hold["rows"]
                streams = per_row < STREAMS_IF_BELOW * held_per_row
                judged = "streams" if streams else "does NOT stream"
                if count < JUDGE_FROM:
                    judged = f"too few rows to judge (allocator noise; use --rows {JUDGE_FROM} or more)"
                verdicts.append(
                    f"{format} into {label}: +{_mb(grow).strip()} at {whole['rows']:,} rows, "
                    f"+{_mb(small).strip()} at {part['rows']:,}: {per_row:,.0f} bytes per extra row "
                    f"vs {held_per_row:,.0f} per row to hold the sheet ({per_row / held_per_row:.0%}) -> "
                    f"{judged}"
                )
                slowdown = (whole["seconds"] / whole["rows"]) / (part["seconds"] / part["rows"])
                timings.append(
                    f"{format} into {label}: {whole['rows'] / whole['seconds']:,.0f} rows/s at "
                    f"{whole['rows']:,} rows, {part['rows'] / part['seconds']:,.0f} at {part['rows']:,}: "
                    f"time per row x{slowdown:.2f} -> {'linear' if slowdown < LINEAR_BELOW else 'SLOWER PER ROW AS THE ROSTER GROWS'}"
                )
            for label, result in rows:
                ratio = result["seconds"] / floor["seconds"] * (floor["rows"] / result["rows"])
                print(
                    f"{label:<34}{result['seconds']:9.2f}{result['rows'] / result['seconds']:10,.0f}{ratio:9.1f}x"
                    f"{_mb(result['peak'] - result['before']):>13}{_mb(result['ru_maxrss']):>13}"
                )
        print("\nvs floor: time per row of the case / time per row of the floor read of the same file.")
        print(f"Streaming (memory per extra row below {STREAMS_IF_BELOW:.0%} of holding the sheet's rows):")
        for verdict in verdicts:
            print(f"  {verdict}")
        print(f"Time per row, N vs N/5 (linear below x{LINEAR_BELOW}):")
        for timing in timings:
            print(f"  {timing}")
        if args.postgres:
            for format in ("csv", "xlsx"):
                for part in ("all", "fifth"):
                    _postgres_schema(args.postgres, f"bench_roster_{os.getpid()}_{format}_{part}", False)


if __name__ == "__main__":
    main()
