"""`python -m bench [--quick] [--only NAME ...] [--gpu]`: run the benchmarks, print a table of
ratios against their targets, and write bench/results.json (bench/results-gpu.json with --gpu).

Each benchmark runs in a fresh interpreter of its own, so that what one loads (TensorFlow, a
million-row table) does not slow or bloat the next.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

from bench.common import ROOT, run_child

BENCHMARKS = [
    "overhead",
    "gui_stall",
    "gui_visit",
    "startup",
    "ingest",
    "plot_redraw",
    "memory",
    "quality",
    "series",
]
# A benchmark whose module is not named as it is: bench/<module>.py holds its measure().
MODULES = {"series": "quality_series"}

# key, what it is, target, how the target reads, where the baseline figure is
ROWS = [
    ("overhead_ratio", "Training speed vs bare Keras", 0.97, "≥", "overhead_bare_samples_s"),
    ("gui_stall_max_ms", "GUI stall while training, worst (ms)", 50, "≤", None),
    ("gui_stall_p99_ms", "GUI stall while training, p99 (ms)", 20, "≤", None),
    ("gui_visit_max_ms", "GUI stall visiting every step, worst (ms)", 50, "≤", None),
    ("startup_ratio", "Window shown vs bare PySide6 window", 1.5, "≤", "startup_bare_s"),
    ("ingest_ratio", "inspect 1M×20 CSV vs pd.read_csv(pyarrow)", 1.2, "≤", "ingest_bare_s"),
    ("ingest_peak_mb", "inspect 1M×20 CSV, peak memory (MB)", None, "", "ingest_bare_peak_mb"),
    ("plot_redraw_ms", "Redraw 4 curves × 100k points (ms)", 16, "≤", None),
    ("memory_slope_mib_per_trial", "Search memory growth per trial (MiB)", 1, "≤", None),
    ("memory_rss_last_mib", "RSS, last vs 3rd trial (MiB)", None, "", "memory_rss_trial3_mib"),
]


def machine() -> str:
    cores = os.cpu_count()
    memory = ""
    try:
        info = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(ln for ln in info if ln.startswith("MemTotal")).split()[1])
        memory = f", {kb / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        pass
    gpu = os.environ.get("DLSTUDIO_BENCH_DEVICE", "no GPU")
    return f"{platform.machine()}, {cores} cores{memory}, {gpu}, Python {platform.python_version()}"


def run(name: str, quick: bool, gpu: bool) -> dict:
    call = f"measure(quick={quick}, gpu=True)" if gpu else f"measure(quick={quick})"
    script = f"from bench.{MODULES.get(name, name)} import measure\nresult = {call}"
    env = {"QT_QPA_PLATFORM": "offscreen"}
    # The quality benchmark runs each contender in a child of its own, for an hour or more.
    return run_child(script, env, timeout=4 * 3600 if name == "quality" else 1800)


def table(results: dict) -> str:
    lines = [f"{'measure':45} {'dlstudio':>12} {'baseline':>12} {'target':>8}  ", "-" * 84]
    for key, label, target, sense, baseline_key in ROWS:
        if key not in results:
            continue
        value = results[key]
        met = (
            ""
            if target is None
            else "met"
            if (value >= target if sense == "≥" else value <= target)
            else "MISSED"
        )
        baseline = results.get(baseline_key, "") if baseline_key else ""
        baseline = f"{baseline:,.3g}" if isinstance(baseline, float) else str(baseline)
        goal = f"{sense}{target}" if target is not None else ""
        lines.append(f"{label:45} {value:12,.3g} {baseline:>12} {goal:>8}  {met}")
    if results.get("quality"):
        from bench.quality import table as quality_table

        lines += [
            "",
            "Quality at equal time (T: AutoKeras's own search time)",
            *quality_table(results["quality"]),
        ]
    if results.get("quality_series"):
        from bench.quality_series import table as series_table

        lines += ["", *series_table(results["quality_series"], results["quality_series_notes"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these")
    parser.add_argument(
        "--gpu",
        action="store_true",
        help="the training benchmark only, sized for a GPU machine (use KERAS_BACKEND=jax)",
    )
    args = parser.parse_args(argv)
    names = ["overhead"] if args.gpu else args.only or BENCHMARKS
    out = ROOT / "bench" / ("results-gpu.json" if args.gpu else "results.json")
    results = json.loads(out.read_text()) if args.only and out.exists() else {}
    for name in names:
        started = time.monotonic()
        print(f"running {name}…", file=sys.stderr, flush=True)
        measured = run(name, args.quick, args.gpu)
        if name == "quality":  # a run of some datasets replaces their rows, keeps the others
            remeasured = {row["dataset"] for row in measured["quality"]}
            kept = [
                r
                for r in results.get("quality", [])
                if r.get("dataset") not in remeasured and "metric" in r  # the old layout goes
            ]
            measured["quality"] = kept + measured["quality"]
            results.pop("quality_notes", None)
        results.update(measured)
        print(f"  {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    results["date"] = date.today().isoformat()
    results["machine"] = machine()
    results["quick"] = args.quick
    Path(out).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"dlstudio benchmarks, {results['date']}, {results['machine']}")
    print(table(results))
    print(f"(written to {out.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
