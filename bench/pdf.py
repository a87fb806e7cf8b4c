"""PDF benchmark: SOW contracts to PDF through the warm converter pool, against LibreOffice run once per document.

Both convert the same rendered SOW .docx, in turns (one pool conversion, then one cold run), so
background load hits them alike:

* warm pool     ``PdfConverter.convert(docx)``: LibreOffice kept running by unoserver (one converter,
                started before timing).
* soffice cold  **Baseline**: ``soffice --headless --convert-to pdf`` per document, as a user would
                script it, with a profile of its own made once beforehand (no first-run set-up timed).

    .venv/bin/python -m bench.pdf              # 100 documents each
    .venv/bin/python -m bench.pdf --count 10   # a quick look
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from freelance.catalog import Catalog
from freelance.pdf import PdfConverter, PdfSettings

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 5.0
GOAL_WARM_SECONDS = 0.25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    catalog = Catalog(ROOT / "templates")
    sow = catalog["sow"]
    data = json.loads((ROOT / "templates" / "samples" / "sow.json").read_text("utf-8"))
    docx = sow.generate(sow.validate(data)).content
    pool = PdfConverter(PdfSettings(converters=1))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / "sow.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()

        def cold() -> None:
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work / "out"),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=240,
            )

        cold()  # the profile's first-run set-up, not timed
        pages = len(re.findall(rb"/Type\s*/Page\b", pool.convert(docx)))  # the pool started, not timed
        warm_times, cold_times = [], []
        try:
            for _ in range(args.count):
                start = time.perf_counter()
                assert pool.convert(docx).startswith(b"%PDF")
                warm_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                cold()
                cold_times.append(time.perf_counter() - start)
        finally:
            pool.close()
    warm, cold_median = statistics.median(warm_times), statistics.median(cold_times)
    print(f"{args.count} SOW PDFs ({pages} pages) each way, interleaved")
    print(f"warm pool (unoserver)       {warm:7.3f} s/doc   total {sum(warm_times):7.1f} s")
    print(f"soffice --convert-to, cold  {cold_median:7.3f} s/doc   total {sum(cold_times):7.1f} s")
    ratio = cold_median / warm
    print(f"warm vs cold: {ratio:.1f}x (goal >= {GOAL_RATIO:g}x) {'ok' if ratio >= GOAL_RATIO else 'BELOW GOAL'}")
    print(
        f"warm per SOW: {warm:.3f} s (goal <= {GOAL_WARM_SECONDS} s) {'ok' if warm <= GOAL_WARM_SECONDS else 'ABOVE GOAL'}"
    )


if __name__ == "__main__":
    main()
