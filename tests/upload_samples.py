"""Files for the upload tests and benchmarks/uploads.py: good ones and the hostile shapes of issue 6."""

import io
import struct
import zlib

from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 12_000, height: int = 12_000) -> bytes:
    """A valid black 1-bit PNG of width × height pixels: 17 KB for 12,000 × 12,000, 144 MB or more decoded.

    Written by hand, since Pillow would need the whole image in memory to save it.
    """
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the packed bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def photo_bytes(fmt: str = "JPEG", size=(640, 480), **options) -> bytes:
    """A photo-like picture (gradients, not one flat colour) in the given format."""
    x = Image.linear_gradient("L").resize(size)
    y = x.transpose(Image.Transpose.ROTATE_90).resize(size)
    image = Image.merge("RGB", (x, y, Image.radial_gradient("L").resize(size)))
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def good_photo_17kb() -> bytes:
    """A good JPEG of about 17 KB, the size of the PNG bomb."""
    return photo_bytes("JPEG", (1024, 768), quality=62)


def truncated_jpeg() -> bytes:
    """The first half of a good JPEG: its header is fine, its picture data stops midway."""
    whole = photo_bytes("JPEG", (800, 600), quality=90)
    return whole[: len(whole) // 2]
