"""Draw the add-in's icons (a contract page on a blue tile) as PNGs at 16, 32, 64 and 80 px.

Pure Python (zlib + struct), supersampled for smooth edges: ``python -m tools.make_icons``.
"""

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "addin" / "icons"
SIZES = (16, 32, 64, 80)
TILE, PAGE, INK = (0x1F, 0x38, 0x64), (0xFF, 0xFF, 0xFF), (0x2B, 0x88, 0xD8)
SAMPLES = 4


def colour_at(x: float, y: float) -> tuple[int, int, int, int]:
    """The icon's colour at (x, y) in a unit square: transparent corners, tile, page, ruled lines."""
    radius = 0.18
    cx, cy = min(max(x, radius), 1 - radius), min(max(y, radius), 1 - radius)
    if (x - cx) ** 2 + (y - cy) ** 2 > radius**2:
        return (0, 0, 0, 0)
    left, right, top, bottom, fold = 0.26, 0.74, 0.16, 0.84, 0.14
    on_page = (
        left <= x <= right
        and top <= y <= bottom
        and not (x > right - fold and y < top + fold and (x - (right - fold)) > (y - top))
    )
    if not on_page:
        return (*TILE, 255)
    for line_top in (0.36, 0.50, 0.64):
        if line_top <= y <= line_top + 0.06 and left + 0.08 <= x <= right - 0.08:
            return (*INK, 255)
    return (*PAGE, 255)


def pixels(size: int) -> bytes:
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # PNG filter: none
        for px in range(size):
            samples = [
                colour_at((px + (i + 0.5) / SAMPLES) / size, (py + (j + 0.5) / SAMPLES) / size)
                for i in range(SAMPLES)
                for j in range(SAMPLES)
            ]
            alpha = sum(s[3] for s in samples)
            rgb = [round(sum(s[k] * s[3] for s in samples) / alpha) if alpha else 0 for k in range(3)]
            rows += bytes([*rgb, round(alpha / len(samples))])
    return bytes(rows)


def png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels(size), 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        (OUT / f"icon-{size}.png").write_bytes(png(size))
        print(f"wrote {OUT / f'icon-{size}.png'}")
