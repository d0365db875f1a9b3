"""Benchmark of the upload check (union_portal.uploads): `make bench` prints its time and peak memory for each
hostile file beside a good file of about the same size.

Each file is checked in a fresh subprocess, so one measurement's memory never counts in the next. Pillow
decodes outside Python's allocator (tracemalloc would not see it), so the peak is the process's own
resident high-water mark (VmHWM), reset just before the check and read just after: what the check itself
added. Nothing is written anywhere.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (label, builder in tests.upload_samples or here, arguments, file name, rule)
CASES = [
    ("png 12000x12000 (17 KB)", "png_bomb", (12_000, 12_000), "plan.png", "PHOTO"),
    ("good jpeg 1024x768 (17 KB)", "good_photo_17kb", (), "photo.jpg", "PHOTO"),
    ("png 8000x6000 (48 megapixels)", "png_bomb", (8_000, 6_000), "plan.png", "PHOTO"),
    ("truncated jpeg 800x600", "truncated_jpeg", (), "photo.jpg", "PHOTO"),
    ("good png 6000x6000 (largest size accepted)", "large_png", (6_000, 6_000), "plan.png", "PHOTO"),
    ("html starting %PDF", "pdf", (), "page.html", "ATTACHMENT"),
]


def _status_kb(field: str) -> int:
    return int(re.search(rf"{field}:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def large_png(width: int, height: int) -> bytes:
    from tests.upload_samples import photo_bytes

    return photo_bytes("PNG", (width, height), compress_level=1)


def pdf() -> bytes:
    from tests.upload_samples import PDF

    return PDF


def measure(builder: str, args: list, name: str, rule_name: str) -> dict:
    """In the child: build the file, reset the memory high-water mark, check the file once."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "union_portal.settings")
    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    import tests.upload_samples as samples
    from union_portal import uploads

    content = (getattr(samples, builder, None) or globals()[builder])(*args)
    upload = SimpleUploadedFile(name, content)
    del content
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status_kb("VmRSS")
    started = time.perf_counter()
    try:
        uploads.upload_check(upload, rule=getattr(uploads, rule_name))
        outcome = "accepted"
    except ValidationError as error:
        outcome = f"refused ({error.error_list[0].code})"
    seconds = time.perf_counter() - started
    peak_mb = (_status_kb("VmHWM") - before) / 1024
    return {"outcome": outcome, "seconds": seconds, "peak_mb": peak_mb, "bytes": upload.size}


def main() -> None:
    for label, builder, args, name, rule in CASES:
        child = subprocess.run(
            [sys.executable, __file__, "--one", json.dumps([builder, list(args), name, rule])],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        what = f"{label} {result['outcome']}"
        print(f"{what}: {result['seconds']:.3f} s")
        print(f"{label} peak memory: {max(result['peak_mb'], 0):.1f} MB")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--one"]:
        import warnings

        warnings.simplefilter("ignore")  # Pillow's DecompressionBombWarning for the 48-megapixel file
        print(json.dumps(measure(*json.loads(sys.argv[2]))))
    else:
        main()
