"""Every search ends with a usable model: `dlstudio tune` at 30 s and 90 s on every dataset of
the shared collection that today's tasks fit, then `dlstudio export` to every format the model
can use (each checked in its own runtime by the exporter).

    python -m bench.budgets [--budgets 30 90] [--only NAME ...]

Prints a Markdown table (dataset, budget, test metric vs the trivial baseline, whether it beats
it, whether the model is partial, the formats that passed, wall time) and writes
bench/budgets.json. Runs the CLI as a user would, one process per command.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.common import ROOT

SHARED = ROOT.parent / "shared" / "datasets"

# name: (path below SHARED, target or None, extra flags). The roles named are the ones the
# data's README calls leaks or row numbers; a careful user would set them the same way.
DATASETS = {
    "penguins": ("tabular/palmer_penguins.csv", "species", []),
    "breast cancer": ("tabular/breast_cancer_wisconsin.csv", "diagnosis", []),
    "titanic": ("tabular/titanic.csv", "survived", ["--role", "alive=identifier"]),
    "mushrooms": ("tabular/mushrooms.csv", "class", []),
    "auto mpg (regression)": ("tabular/auto_mpg.csv", "mpg", []),
    "diamonds (regression)": ("tabular/diamonds.csv", "price", []),
    "SMS spam (texts)": ("text/sms_spam.csv", "label", []),
    "20 newsgroups (texts)": (
        "text/twenty_newsgroups_5topics.csv",
        "topic",
        ["--role", "split=identifier", "--role", "doc_id=identifier"],
    ),
    "digits (grayscale images)": ("image/sklearn_digits", None, []),
    "clothing (RGB photos)": ("image/clothing_small", None, []),
}


def _cli(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dlstudio", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def measure(name: str, budget: float, work: Path) -> dict:
    path, target, extra = DATASETS[name]
    project = work / f"{name.split()[0]}-{budget:.0f}"
    started = time.monotonic()
    args = ["tune", str(SHARED / path), "--time-limit", f"{budget:g}s", "--project", str(project)]
    args += (["--target", target] if target else []) + extra + ["--json"]
    done = _cli(*args, timeout=budget * 3 + 300)
    wall = time.monotonic() - started
    row = {"dataset": name, "budget_s": budget, "wall_s": round(wall, 1), "exit": done.returncode}
    try:
        result = json.loads(done.stdout[done.stdout.index("{") :])
    except ValueError:
        return {**row, "error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    run = Path(result["run"])
    evaluation = json.loads((run / "evaluation.json").read_text()) if result["model"] else {}
    verdict = evaluation.get("verdict", {})
    row.update(
        status=result["status"],
        model=bool(result["model"]),
        partial=bool(json.loads((run / "state.json").read_text()).get("partial")),
        metric=verdict.get("metric"),
        score=verdict.get("model"),
        baseline=verdict.get("baseline"),
        beats=verdict.get("beats_baseline", False),
        trials=len((run / "trials.jsonl").read_text().splitlines()),
    )
    if result["model"]:
        exported = _cli("export", str(run), "--out", str(run / "export"), timeout=900)
        row["formats"] = [
            line.split()[0]
            for line in exported.stdout.splitlines()
            if "reloaded in its own" in line
        ]
        row["export_exit"] = exported.returncode
        if exported.returncode:
            row["export_error"] = (exported.stderr.strip().splitlines() or [""])[-1][:300]
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| Dataset | Budget | Test metric: model vs trivial | Beats it | Model | Formats reloaded and matching | Wall time |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if not r.get("model"):
            why = r.get("error", r.get("status", "?"))
            lines.append(
                f"| {r['dataset']} | {r['budget_s']:.0f} s | no model: {why} | ✗ | — | — | {r['wall_s']:.0f} s |"
            )
            continue
        shown = (lambda v: f"{v:,.4g}") if r["metric"] == "mae" else (lambda v: f"{100 * v:.1f} %")
        metric = {"mae": "MAE", "accuracy": "accuracy", "balanced_accuracy": "balanced accuracy"}
        compared = (
            f"{metric.get(r['metric'], r['metric'])} {shown(r['score'])} vs {shown(r['baseline'])}"
        )
        kind = "partial" if r["partial"] else "finished"
        formats = ", ".join(r.get("formats", [])) or f"none ({r.get('export_error', '')})"
        lines.append(
            f"| {r['dataset']} | {r['budget_s']:.0f} s | {compared} | {'✓' if r['beats'] else '✗'} "
            f"| {kind}, {r['trials']} trial(s) | {formats} | {r['wall_s']:.0f} s |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.budgets")
    parser.add_argument("--budgets", nargs="+", type=float, default=[30, 90])
    parser.add_argument("--only", nargs="+", choices=list(DATASETS), metavar="NAME")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="dlstudio-budgets-") as work:
        for budget in args.budgets:
            for name in args.only or DATASETS:
                row = measure(name, budget, Path(work))
                rows.append(row)
                print(json.dumps(row), flush=True)
    report = {"date": date.today().isoformat(), "rows": rows}
    (ROOT / "bench" / "budgets.json").write_text(json.dumps(report, indent=2) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
