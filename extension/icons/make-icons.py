"""Draw the toolbar icons (an amber flag on a blue rounded square) as PNG files.

Standard library only, so anyone can regenerate them: python3 extension/icons/make-icons.py
Shapes are sampled 4x4 per pixel for smooth edges.
"""

import struct
import zlib
from pathlib import Path

SIZES = (16, 32, 48, 128)
BLUE = (23, 92, 211)
WHITE = (255, 255, 255)
AMBER = (253, 176, 34)
SAMPLES = 4


def inside_rounded_square(x: float, y: float) -> bool:
    radius = 0.22
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def inside_pole(x: float, y: float) -> bool:
    return 0.24 <= x <= 0.33 and 0.16 <= y <= 0.86


def inside_flag(x: float, y: float) -> bool:
    # A swallow-tailed flag flying from the pole.
    if not (0.33 <= x <= 0.80 and 0.18 <= y <= 0.56):
        return False
    notch_depth = 0.12 * (1 - abs(y - 0.37) / 0.19)
    return x <= 0.80 - notch_depth


def colour_at(x: float, y: float) -> tuple[int, int, int, int]:
    if not inside_rounded_square(x, y):
        return (0, 0, 0, 0)
    if inside_pole(x, y):
        return (*WHITE, 255)
    if inside_flag(x, y):
        return (*AMBER, 255)
    return (*BLUE, 255)


def render(size: int) -> bytes:
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter type: none
        for px in range(size):
            total = [0, 0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    r, g, b, a = colour_at(
                        (px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size
                    )
                    total[0] += r * a
                    total[1] += g * a
                    total[2] += b * a
                    total[3] += a
            alpha = total[3] / (SAMPLES * SAMPLES)
            if total[3]:
                row += bytes(round(c / total[3]) for c in total[:3])
            else:
                row += bytes(3)
            row.append(round(alpha))
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    for size in SIZES:
        (here / f"icon-{size}.png").write_bytes(render(size))
        print(f"wrote icons/icon-{size}.png")
