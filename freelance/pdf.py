"""PDF from Word documents: LibreOffice kept warm by a small pool of unoserver processes.

Each converter is one ``unoserver`` (as ``pdf_server`` runs it, loading documents hidden) and the
LibreOffice it runs, with its own ports, profile and temporary folder, started on first use and
stopped with the service. A conversion takes an idle converter, or waits for one in a bounded queue:
past it, the caller is told to come back later (``Busy``), so threads never pile up. unoserver ends
LibreOffice when a conversion passes its timeout; a converter that exits, hangs past the timeout or
fails is killed and started afresh for the next conversion. The PDF is PDF/A-2b (archival) and
tagged (accessible); its title and language are the document's.

The converter process runs under the Python LibreOffice's ``uno`` module belongs to (the system's),
found by ``PDF_PYTHON``; without LibreOffice, that Python, or its uno module, PDF requests answer
``Unavailable`` saying what to install, and everything else works.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import cached_property, lru_cache
from http.client import HTTPException
from pathlib import Path
from queue import Empty, Queue
from xmlrpc.client import Binary, Fault, ServerProxy
from xmlrpc.client import Error as XmlRpcError

import unoserver
from unoserver.client import UnoClient

from .errors import Busy, CannotRender, Unavailable

PDF_OPTIONS = ["SelectPdfVersion=2", "UseTaggedPDF=true"]
"""LibreOffice's PDF export: PDF/A-2b, tagged for accessibility."""
INSTALL = "apt-get install -y libreoffice-writer-nogui python3-uno"
_STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class PdfSettings:
    """How many converters, how long one conversion may take, how many requests may wait."""

    converters: int = 2
    timeout: float = 60.0
    queue: int = 8
    soffice: str = "soffice"
    python: str = "/usr/bin/python3"


class _Converter:
    """One unoserver process and its LibreOffice, on ports and a profile of its own."""

    def __init__(self, settings: PdfSettings, workdir: Path, number: int):
        self._settings, self._workdir, self._number = settings, workdir, number
        self._process: subprocess.Popen[bytes] | None = None
        self._port = 0

    def convert(self, docx: bytes, pool: ThreadPoolExecutor) -> bytes:
        """Return ``docx`` as PDF; kill this converter if it fails or passes the timeout."""
        if self._process is None or self._process.poll() is not None or not self._listening():
            self._start()
        # unoserver's XML-RPC convert(inpath, indata, outpath, convert_to, filtername, filter_options,
        # update_index, infiltername, password), called directly: its client asks for the server's
        # version and filter list before every conversion, and _start has checked those once.
        future = pool.submit(
            _proxy(self._port).convert,
            None,
            docx,
            None,
            "pdf",
            None,
            PDF_OPTIONS,
            _has_indexes(docx),  # updating indexes lays the document out twice more: a third of the time
            None,
            None,
        )
        try:
            answer = future.result(timeout=self._settings.timeout + 5)  # unoserver's own timeout comes first
        except FutureTimeout:
            self.stop()
            raise CannotRender(f"The conversion to PDF took longer than {self._settings.timeout:g} seconds.") from None
        except (XmlRpcError, HTTPException, OSError, RuntimeError) as exc:  # a Fault, or the server gone mid-answer
            self.stop()
            raise CannotRender(f"LibreOffice could not convert the document to PDF: {exc}") from None
        pdf = answer.data if isinstance(answer, Binary) else None
        if pdf is None or not pdf.startswith(b"%PDF"):
            self.stop()
            raise CannotRender("LibreOffice returned no PDF.")
        return pdf

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self._port), timeout=2).close()
        except OSError:
            return False
        return True

    def _start(self) -> None:
        self.stop()
        self._port, uno_port = _free_port(), _free_port()
        profile = self._workdir / f"profile-{self._number}"
        temp = self._workdir / f"temp-{self._number}"  # LibreOffice's and unoserver's files: removed with the pool
        shutil.rmtree(temp, ignore_errors=True)  # a killed converter's leftovers
        temp.mkdir()
        log = (self._workdir / f"converter-{self._number}.log").open("ab")
        self._process = subprocess.Popen(
            [
                self._settings.python,
                "-m",
                "pdf_server",
                "--interface=127.0.0.1",
                "--uno-interface=127.0.0.1",
                f"--port={self._port}",
                f"--uno-port={uno_port}",
                f"--user-installation={profile}",
                f"--executable={shutil.which(self._settings.soffice) or self._settings.soffice}",
                f"--conversion-timeout={int(self._settings.timeout)}",
                "--quiet",
            ],
            env=os.environ | {"PYTHONPATH": str(_server_path(self._workdir)), "TMPDIR": str(temp)},
            stdin=subprocess.PIPE,  # never written: it closes when this process ends, and the converter stops
            stdout=log,
            stderr=log,
            start_new_session=True,  # its LibreOffice in the same process group: stopped together
        )
        log.close()
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise Unavailable(f"LibreOffice did not start for PDF conversion (see {self._workdir}).")
            try:
                UnoClient(server="127.0.0.1", port=str(self._port))._connect(_proxy(self._port), retries=1)
                return
            except (OSError, RuntimeError, Fault):
                time.sleep(0.2)
        self.stop()
        raise Unavailable("LibreOffice took too long to start for PDF conversion.")

    def stop(self) -> None:
        """Kill the converter and its LibreOffice, if running."""
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.communicate()  # waits, and closes its standard input
        self._process = None


class PdfConverter:
    """Converts .docx to PDF through a pool of warm converters, started on first use."""

    def __init__(self, settings: PdfSettings = PdfSettings()):
        self._settings = settings
        self._idle: Queue[_Converter] = Queue()
        self._admitted = threading.Semaphore(settings.converters + settings.queue)
        self._calls = ThreadPoolExecutor(max_workers=settings.converters, thread_name_prefix="pdf")
        self._workdir: Path | None = None
        self._lock = threading.Lock()
        self._converters: list[_Converter] = []

    @cached_property
    def missing(self) -> str | None:
        """What is not installed for PDF, or None when everything is (looked for once: install, then restart)."""
        if shutil.which(self._settings.soffice) is None:
            return f"LibreOffice is not installed: {INSTALL}"
        if shutil.which(self._settings.python) is None:
            return f"LibreOffice's Python ({self._settings.python}) is not installed: {INSTALL}"
        probe = subprocess.run([self._settings.python, "-c", "import uno"], capture_output=True, timeout=30)
        if probe.returncode != 0:
            return f"LibreOffice's Python module uno is not installed: {INSTALL}"
        return None

    def convert(self, docx: bytes) -> bytes:
        """Return ``docx`` as a PDF/A-2b; raise Unavailable, Busy, or CannotRender for a conversion that fails."""
        if not self._admitted.acquire(blocking=False):
            raise Busy("Every PDF converter is busy: try again shortly.", retry_after=5)
        try:
            converter = self._take()
            try:
                return converter.convert(docx, self._calls)
            finally:
                self._idle.put(converter)
        finally:
            self._admitted.release()

    def _take(self) -> _Converter:
        with self._lock:
            if self._workdir is None:
                if why := self.missing:
                    raise Unavailable(f"PDF needs LibreOffice on the server. {why}")
                self._workdir = Path(tempfile.mkdtemp(prefix="freelance-pdf-"))
                for number in range(self._settings.converters):
                    converter = _Converter(self._settings, self._workdir, number)
                    self._converters.append(converter)
                    self._idle.put(converter)
        try:
            return self._idle.get(timeout=self._settings.timeout * (self._settings.queue + 1))
        except Empty:
            raise Busy("Every PDF converter is busy: try again shortly.", retry_after=5) from None

    def close(self) -> None:
        """Stop every converter and remove their profiles."""
        for converter in self._converters:
            converter.stop()
        self._calls.shutdown(wait=False, cancel_futures=True)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)


@lru_cache(maxsize=8)
def converter_for(settings: PdfSettings) -> PdfConverter:
    """The one pool of converters of this process for ``settings`` (apps built alike share it)."""
    converter = PdfConverter(settings)
    atexit.register(converter.close)
    return converter


_INDEX_FIELD = re.compile(rb'<w:(?:instrText[^>]*>|fldSimple[^>]*w:instr=")\s*(?:TOC|INDEX|TOA)\b')


def _has_indexes(docx: bytes) -> bool:
    """Whether the document has a table of contents or an index, whose page numbers LibreOffice must update."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            return bool(_INDEX_FIELD.search(package.read("word/document.xml")))
    except (zipfile.BadZipFile, KeyError):
        return True  # not ours to judge: LibreOffice reports what it cannot read


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _proxy(port: int) -> ServerProxy:
    return ServerProxy(f"http://127.0.0.1:{port}", allow_none=True)


def _server_path(workdir: Path) -> Path:
    """A directory holding only the converter's module and the unoserver package, for the system Python's path."""
    folder = workdir / "python"
    if not folder.exists():
        folder.mkdir()
        (folder / "pdf_server.py").symlink_to(Path(__file__).with_name("pdf_server.py"))
        package = Path(unoserver.__file__).parent
        (folder / "unoserver").symlink_to(package)
        for metadata in package.parent.glob("unoserver-*.dist-info"):
            (folder / metadata.name).symlink_to(metadata)
    return folder
