"""Run a notebook over a grid of parameter values, several seeds per setting, and summarise across runs.

usage: sweep.py --results DIR --logs DIR [--quick] [--seeds K] [--jobs J] [--redo] NOTEBOOK NAME=V1,V2 ...

Every point of the grid (the product of the NAME=V1,V2 lists) runs K times with the notebook's seed
parameter at 0..K-1, each run by run_notebooks.py into DIR/runs/NOTEBOOK/<name=value,...,seed=k>/ (executed
notebook, figures, tables, manifest.json with parameters, seed, commit, machine, mode and wall time), J at a
time. A run whose manifest.json says ok for the same parameters, mode and commit is skipped (--redo runs
it again), so an interrupted sweep resumes where it stopped; a failed run is run again, and listed with its
error in the summary if it fails again. Progress (done, failed, running, ETA) is printed as runs finish.

DIR/runs/NOTEBOOK/ then holds runs.csv (every run: status, error, parameters, wall time, checks),
summary.csv (per setting and metric: n, mean, sd, se, min, max over seeds of the runs whose every cell
executed, failing checks or not; the metrics are the values of the notebook's checks, its wall time and the
fraction of checks passed, and the numeric cells of its tables of at most 30 rows),
summary.svg (the metrics that vary most across settings, mean ± sd) and sweep.json (for results/index.html,
which is rewritten). Every argument is checked before any kernel starts. Exit status 0 when every run
passed, 1 when one failed, 2 for bad arguments.
"""
import argparse
import csv
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path

import nbformat

import parameters
import results_index
import site_index
from parameters import ParameterError
from run_notebooks import resolve

TOOLS = Path(__file__).resolve().parent
SMALL_TABLE_ROWS = 30  # tables up to this many rows give their numeric cells as metrics


def grid_of(declared, notebook, texts):
    """{name: [values]} of NAME=V1,V2 arguments, each value validated; ParameterError when one is bad or empty."""
    grid = {}
    for text in texts:
        name, listed = parameters.split_assignment(text, "sweep argument")
        items = [v for v in (x.strip() for x in listed.split(",")) if v]
        if not items:
            raise ParameterError(f"sweep argument {text}: no values (expected {name}=V1,V2,...)")
        if name in grid:
            raise ParameterError(f"sweep argument {text}: {name} is given twice")
        grid[name] = [parameters.validate(declared, notebook, [(name, v)])[name] for v in items]
    return grid


def points_of(declared, notebook, grid, seeds):
    """The runs of the sweep: a list of {name: value} in declaration order, seed last varying."""
    if seeds < 1:
        raise ParameterError(f"--seeds {seeds}: must be at least 1")
    if "seed" in grid:
        raise ParameterError("seed is set by --seeds K (runs with seed = 0..K-1): leave it out of the grid")
    if "seed" not in declared:
        raise ParameterError(f"{notebook}: its parameters cell declares no seed parameter, which --seeds needs; "
                             f"accepted: {parameters.accepted_list(declared)}")
    parameters.validate(declared, notebook, [("seed", str(seeds - 1))])
    if not grid and seeds == 1:
        raise ParameterError("nothing to sweep: give NAME=V1,V2 lists and/or --seeds K with K > 1")
    names = list(grid)
    points = []
    for combination in itertools.product(*grid.values()):
        for seed in range(seeds):
            chosen = dict(zip(names, combination), seed=seed)
            points.append({name: chosen[name] for name in declared if name in chosen})
    return points


def manifest(run_dir):
    path = run_dir / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def done(run_dir, values, mode, commit):
    """True when run_dir holds an ok run of these values in this mode at this commit."""
    m = manifest(run_dir)
    return bool(m) and m.get("status") == "ok" and m.get("parameters") == values and m.get("mode") == mode \
        and m.get("commit") == commit


class Progress:
    """Runs done, failed and running, and an ETA from the mean wall time of the runs finished so far."""

    def __init__(self, total, skipped, jobs):
        self.total, self.skipped, self.jobs = total, skipped, jobs
        self.finished, self.failed, self.running, self.seconds = 0, 0, 0, []
        self.lock = threading.Lock()

    def started(self):
        with self.lock:
            self.running += 1

    def ended(self, label, ok, seconds):
        with self.lock:
            self.running -= 1
            self.finished += 1
            self.failed += not ok
            self.seconds.append(seconds)
            left = self.total - self.skipped - self.finished
            eta = statistics.mean(self.seconds) * math.ceil(left / self.jobs) if left else 0
            print(f"[sweep] {'ok    ' if ok else 'FAILED'} {label} in {seconds:.0f} s; "
                  f"{self.skipped + self.finished}/{self.total} done ({self.skipped} skipped, {self.failed} failed), "
                  f"{self.running} running, ETA {results_index.wall(eta)}", flush=True)


def run_one(notebook_path, declared, values, args, progress):
    """Run one point with run_notebooks.py; return its row for runs.csv."""
    slug = parameters.slug(declared, values)
    log = args.logs / f"{slug}.log"
    command = [sys.executable, str(TOOLS / "run_notebooks.py"), "--results", str(args.results), "--logs", str(args.logs / slug)]
    command += ["--quick"] if args.quick else []
    command += ["--cell-timeout", str(args.cell_timeout)] if args.cell_timeout else []
    for name, value in values.items():
        command += ["--set", f"{name}={declared[name].text(value)}"]
    progress.started()
    start = time.monotonic()
    with open(log, "w") as out:
        rc = subprocess.run(command + [str(notebook_path)], stdout=out, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - start
    m = manifest(args.results / "runs" / notebook_path.stem / slug) or {}
    error = m.get("error") or (f"run_notebooks.py exited {rc} without a manifest: see {log}" if rc else "")
    status = "ok" if rc == 0 and m.get("status") == "ok" else "failed"
    progress.ended(slug, status == "ok", seconds)
    return {"dir": slug, "status": status, "executed": bool(m.get("executed")), "error": " ".join(error.split())[:500],
            "log": str(log), **values,
            "wall_s": f"{float(m.get('wall_s', seconds)):.1f}", "checks": m.get("checks", ""), "commit": m.get("commit", "")}


def metrics(run_dir, notebook, row):
    """{metric: value} of one ok run: its checks' values, wall time, checks passed, numeric cells of small tables."""
    found = {"wall time (s)": float(row["wall_s"])}
    checks_path = results_index.checks_file(run_dir, notebook)
    table = results_index.read_checks(checks_path, notebook) if checks_path.is_file() else None
    if table is not None:
        found["checks passed (fraction)"] = len(results_index.passed(table[1])) / max(1, len(table[1]))
        for r in table[1]:
            value = number(r.get("value", ""))
            if value is not None:
                found[f"check | {r.get('section', '')} | {r.get('check', '')}"] = value
    for path in sorted((run_dir / "tables").glob("*.csv")):
        if path.name.endswith("_checks.csv") or path.name == results_index.CHECKS_TABLE:
            continue
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        if len(rows) < 2 or len(rows) - 1 > SMALL_TABLE_ROWS:
            continue
        header, body = rows[0], rows[1:]
        keyed = number(body[0][0]) is None if body[0] else False
        for i, r in enumerate(body):
            key = r[0] if keyed else str(i + 1)
            for column, cell in list(zip(header, r))[1 if keyed else 0:]:
                value = number(cell)
                if value is not None:
                    found[f"table | {path.stem} | {key} | {column}"] = value
    return found


def number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def summarise(rows, names, run_root, notebook):
    """Rows of summary.csv: per setting (the grid names' values) and metric, n, mean, sd, se, min, max over seeds.

    Runs whose every cell executed count, also when some of their checks failed (a setting far from the defaults
    may break a check calibrated for them: its values are what the ablation measures); runs that stopped do not."""
    by_setting = {}
    for row in rows:
        if row["executed"]:
            setting = tuple(row[n] for n in names)
            for metric, value in metrics(run_root / row["dir"], notebook, row).items():
                by_setting.setdefault(setting, {}).setdefault(metric, []).append(value)
    summary = []
    for setting in sorted(by_setting, key=lambda s: [str(v) for v in s]):
        for metric, values in by_setting[setting].items():
            sd = statistics.stdev(values) if len(values) > 1 else None
            summary.append({**dict(zip(names, setting)), "metric": metric, "n": len(values),
                            "mean": statistics.mean(values), "sd": sd, "se": sd / math.sqrt(len(values)) if sd is not None else None,
                            "min": min(values), "max": max(values)})
    return summary


def figure(summary, names, path, panels=6):
    """summary.svg: the metrics whose setting means differ most (relative to their spread over seeds), mean ± sd
    per setting; checks passed and wall time always. Returns False when there is nothing to draw."""
    by_metric = {}
    for r in summary:
        by_metric.setdefault(r["metric"], []).append(r)
    settings = sorted({tuple(r[n] for n in names) for r in summary}, key=lambda s: [str(v) for v in s])
    if not settings:
        return False

    def contrast(rows):
        means = [r["mean"] for r in rows]
        spread = statistics.mean([r["sd"] or 0 for r in rows]) + 1e-12 * (1 + max(abs(m) for m in means))
        return (max(means) - min(means)) / spread if len(rows) == len(settings) else -1

    fixed = [m for m in ("checks passed (fraction)", "wall time (s)") if m in by_metric]
    rest = sorted((m for m in by_metric if m not in fixed), key=lambda m: -contrast(by_metric[m]))
    chosen = fixed + [m for m in rest if contrast(by_metric[m]) > 0][:panels - len(fixed)]
    width, height, columns = 380, 240, 2
    rows_n = math.ceil(len(chosen) / columns)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{columns * width}" height="{rows_n * height + 30}" '
             f'font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/>',
             f'<text x="10" y="18" font-size="13">mean ± sd over seeds per setting ({", ".join(names) or "seeds only"})</text>']
    for k, metric in enumerate(chosen):
        x0, y0 = (k % columns) * width, 30 + (k // columns) * height
        rows = {tuple(r[n] for n in names): r for r in by_metric[metric]}
        lows = [r["mean"] - (r["sd"] or 0) for r in rows.values()]
        highs = [r["mean"] + (r["sd"] or 0) for r in rows.values()]
        lo, hi = min(lows), max(highs)
        lo, hi = (lo - 0.5, hi + 0.5) if hi - lo < 1e-12 else (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
        plot_w, plot_h, left, top = width - 90, height - 90, x0 + 70, y0 + 30

        def y(v):
            return top + plot_h * (hi - v) / (hi - lo)

        title = metric if len(metric) <= 60 else "…" + metric[-59:]
        parts.append(f'<text x="{x0 + 10}" y="{y0 + 16}">{site_index.esc(title)}</text>')
        parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>')
        for v in (lo, hi):
            parts.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.4g}</text>')
        for i, setting in enumerate(settings):
            x = left + plot_w * (i + 0.5) / len(settings)
            label = ",".join(str(v) for v in setting)
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{site_index.esc(label[:18])}</text>')
            r = rows.get(setting)
            if r is None:
                continue
            sd = r["sd"] or 0
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y(r["mean"] - sd):.1f}" y2="{y(r["mean"] + sd):.1f}" stroke="#1f77b4"/>')
            parts.append(f'<circle cx="{x:.1f}" cy="{y(r["mean"]):.1f}" r="3.5" fill="#1f77b4"/>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return True


def write_csv(path, rows, columns):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: ("" if v is None else f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--logs", type=Path, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=1, help="runs per setting, with seed = 0..K-1 (default 1)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="runs at a time (default min(2, cores): each notebook runs on one torch thread)")
    parser.add_argument("--redo", action="store_true", help="run again the runs already done")
    parser.add_argument("--cell-timeout", type=int)
    parser.add_argument("--check", action="store_true", help="only check the arguments (exit 0 or 2)")
    parser.add_argument("notebook")
    parser.add_argument("grid", nargs="*", metavar="NAME=V1,V2")
    args = parser.parse_intermixed_args(argv)
    home = Path(os.environ.get("WORKBENCH_HOME", TOOLS.parent))
    cores = os.cpu_count() or 1
    try:
        if not 1 <= args.jobs <= cores:
            raise ParameterError(f"--jobs {args.jobs}: must be between 1 and the {cores} cores of this machine")
        notebook_path = resolve([args.notebook], home / "notebooks")[0]
        notebook = notebook_path.stem
        declared = parameters.declarations(nbformat.read(notebook_path, as_version=4), notebook)
        grid = grid_of(declared, notebook, args.grid)
        points = points_of(declared, notebook, grid, args.seeds)
    except ParameterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.check:
        return 0
    args.results = args.results.resolve()
    args.logs.mkdir(parents=True, exist_ok=True)
    mode, commit = ("quick" if args.quick else "full"), results_index.commit()
    run_root = args.results / "runs" / notebook
    pending = [p for p in points if args.redo or not done(run_root / parameters.slug(declared, p), p, mode, commit)]
    skipped = [p for p in points if p not in pending]
    print(f"[sweep] {notebook}: {len(points)} runs ({len(skipped)} already done, {len(pending)} to run, "
          f"{args.jobs} at a time, {mode} mode) into {run_root}", flush=True)
    progress = Progress(len(points), len(skipped), args.jobs)
    rows = {}
    for p in skipped:
        m = manifest(run_root / parameters.slug(declared, p))
        rows[parameters.slug(declared, p)] = {"dir": parameters.slug(declared, p), "status": "ok", "executed": True, "error": "", **p,
                                              "wall_s": f"{float(m['wall_s']):.1f}", "checks": m.get("checks", ""),
                                              "commit": m.get("commit", "")}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, notebook_path, declared, p, args, progress) for p in pending]
        for future in as_completed(futures):
            row = future.result()
            rows[row["dir"]] = row
    ordered = [rows[parameters.slug(declared, p)] for p in points]
    names = list(grid)
    value_columns = [n for n in declared if n in points[0]]
    write_csv(run_root / "runs.csv", ordered, ["dir", "status", "executed", "error", *value_columns, "wall_s", "checks", "commit"])
    summary = summarise(ordered, names, run_root, notebook)
    write_csv(run_root / "summary.csv", summary, [*names, "metric", "n", "mean", "sd", "se", "min", "max"])
    drawn = figure(summary, names, run_root / "summary.svg")
    (run_root / "sweep.json").write_text(json.dumps({
        "notebook": notebook, "grid": {n: [declared[n].text(v) for v in vs] for n, vs in grid.items()},
        "seeds": args.seeds, "mode": mode, "commit": commit,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "summary": "summary.csv",
        "figure": "summary.svg" if drawn else None,
        "runs": [{"dir": r["dir"], "status": r["status"], "error": r["error"]} for r in ordered]}, indent=1) + "\n")
    index = site_index.write(args.results)
    failed = [r for r in ordered if r["status"] != "ok"]
    print(f"[sweep] {notebook}: {len(ordered) - len(failed)}/{len(ordered)} runs ok; summary in {run_root / 'summary.csv'} "
          f"and {run_root / 'summary.svg'}; index {index}")
    for r in failed:
        print(f"FAILED: {r['dir']}: {r['error']} (log: {r['log'] if 'log' in r else 'see its folder'})", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
