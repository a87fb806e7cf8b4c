"""What /proc says of a process, for the benchmarks' memory figures."""

from __future__ import annotations

from pathlib import Path


def status(pid: int | str, field: str) -> int:
    """A /proc/<pid>/status field in bytes (VmRSS, VmHWM); 0 where /proc is missing or the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
