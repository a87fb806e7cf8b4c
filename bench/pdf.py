"""PDF benchmark: SOW contracts to PDF through the warm converter pool, against LibreOffice run once per document.

All three convert the same rendered SOW .docx, in turns (each turn one conversion on one converter
and one cold run; every other turn, a pair through the pool), so background load hits them alike:

* warm, one     ``PdfConverter.convert(docx)`` on a pool of one converter (LibreOffice kept running by
                unoserver, started before timing): what one request waits for.
* warm pool     The pool as the service ships it (``PdfSettings()``: two converters), sent two documents
                at once; the time per document is the pair's wall time / 2: what a batch of PDFs costs.
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
from concurrent.futures import ThreadPoolExecutor
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
    one, pool = PdfConverter(PdfSettings(converters=1)), PdfConverter(PdfSettings())
    senders = ThreadPoolExecutor(max_workers=2)

    def pair() -> None:
        for pdf in senders.map(pool.convert, [docx, docx]):
            assert pdf.startswith(b"%PDF")

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
        pages = len(re.findall(rb"/Type\s*/Page\b", one.convert(docx)))  # started, not timed
        pair()  # the pool's converters started, not timed
        warm_times, pool_times, cold_times = [], [], []
        try:
            for turn in range(args.count):
                start = time.perf_counter()
                assert one.convert(docx).startswith(b"%PDF")
                warm_times.append(time.perf_counter() - start)
                if turn % 2 == 0:  # a pair is two documents: the pool converts --count of them too
                    start = time.perf_counter()
                    pair()
                    pool_times.append((time.perf_counter() - start) / 2)
                start = time.perf_counter()
                cold()
                cold_times.append(time.perf_counter() - start)
        finally:
            one.close()
            pool.close()
            senders.shutdown()
    warm, in_pool, cold_median = (statistics.median(times) for times in (warm_times, pool_times, cold_times))
    print(f"{args.count} SOW PDFs ({pages} pages) each way, interleaved")
    print(f"warm, one converter         {warm:7.3f} s/doc   total {sum(warm_times):7.1f} s")
    print(f"warm pool, 2 at once        {in_pool:7.3f} s/doc   total {2 * sum(pool_times):7.1f} s")
    print(f"soffice --convert-to, cold  {cold_median:7.3f} s/doc   total {sum(cold_times):7.1f} s")
    for name, time_per_doc in (("one converter", warm), ("pool", in_pool)):
        ratio = cold_median / time_per_doc
        verdict = "ok" if ratio >= GOAL_RATIO else "BELOW GOAL"
        print(f"{name} vs cold: {ratio:.1f}x (goal >= {GOAL_RATIO:g}x) {verdict}")
    print(
        f"warm per SOW: {warm:.3f} s (goal <= {GOAL_WARM_SECONDS} s) {'ok' if warm <= GOAL_WARM_SECONDS else 'ABOVE GOAL'}"
    )


if __name__ == "__main__":
    main()
