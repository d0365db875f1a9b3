"""Benchmark of the case export at city scale (issue 10): the time and peak memory of exporting every case.

It reads the city-scale dataset of `benchmarks/city_data.py` (found as `search_bench.find_dataset` finds it) and never
builds or changes it; without it (or without PostgreSQL) it prints that it skipped and exits 0. The export runs as an
export job's worker runs it (`union_portal.exports`: the case list's rows for district staff `staff`, streamed through
CaseResource into a write-only workbook on disk), in a child process, so that the peak memory printed is that
process's own maximum resident set (Django and the connection included). It prints:

    export of every case (N rows): <s> s
    export of every case peak memory: <MB> MB
    export rate: <rows/s> rows/s
    export of EXPORT_INLINE_ROWS rows (estimated): <s> s

The last line is what a list just below the inline threshold costs in the request (the target: well within 10 s).
"""

import importlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child() -> None:
    """Export every case to a temporary file; print `<rows> <seconds>` (run in its own process)."""
    find_dataset = importlib.import_module("benchmarks.search_bench").find_dataset  # sets Django up first
    from django.contrib.auth import get_user_model

    from union_portal.exports import kind_for
    from union_portal.exports.kinds import job_request
    from union_portal.exports.writer import write_export

    if find_dataset() is None:
        print("skip")
        return
    kind = kind_for("disputes-cases")
    user = get_user_model().objects.get(username="staff")
    rows = kind.rows(job_request(user, ""))
    written = [0]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        write_export(kind, rows, Path(folder) / "cases.xlsx", progress=lambda done: written.__setitem__(0, done))
        seconds = time.perf_counter() - started
        size = (Path(folder) / "cases.xlsx").stat().st_size
    print(f"{written[0]} {seconds:.3f} {size}")


def main() -> None:
    done = subprocess.run(
        [sys.executable, __file__, "--child"], capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "skip"
    if last == "skip":
        print("export bench: skipped (no city-scale dataset: run benchmarks/city_data.py on PostgreSQL)")
        return
    rows, seconds, size = last.split()
    rows, seconds = int(rows), float(seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    rate = rows / seconds if seconds else 0
    inline = int(os.environ.get("EXPORT_INLINE_ROWS", "5000"))
    print(f"export of every case ({rows} rows): {seconds:.1f} s")
    print(f"export of every case peak memory: {peak_mb:.0f} MB")
    print(f"export of every case file size: {int(size) / 1e6:.1f} MB")
    print(f"export rate: {rate:.0f} rows/s")
    print(f"export of {inline} rows (estimated): {inline / rate if rate else 0:.2f} s")


if __name__ == "__main__":
    child() if "--child" in sys.argv else main()
