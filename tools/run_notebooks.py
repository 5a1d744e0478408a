"""Execute notebooks with the diffusion-java kernel; write executed .ipynb and .html.

usage: run_notebooks.py --results DIR --logs DIR [--quick] [--publish]
                        [--cell-timeout S] [--set NAME=VALUE]... [NOTEBOOK...]

Notebooks run with cwd = their own folder and WORKBENCH_QUICK / WORKBENCH_RESULTS
in the kernel's environment. Executed copies go to DIR/notebooks/NAME.{ipynb,html}
(also for a failing notebook, up to the failing cell); the kernel's own
stdout/stderr go to LOGS/NAME.kernel.log. The source notebooks are never written.
A notebook's checks table DIR/tables/NAME_checks.csv (diffusion.report.Checks) is
removed before it runs, read after, and gathered with the other notebooks' into
DIR/tables/checks.csv (see results_index.gather_checks).
With --publish, DIR/manifest.csv, DIR/README.md (see results_index) and DIR/index.html (site_index) are
updated. Pages render formulas offline and carry the notebook's title (html_export).
--set overrides parameters of the notebooks' cells tagged "parameters" (tools/parameters.py checks every
value of every notebook before the first kernel starts; the kernel reads them from WORKBENCH_PARAMS); such a
run goes to DIR/runs/NAME/<name=value,...>/ (executed copies, figures, tables, manifest.json), never over
DIR/notebooks, and publishes nothing.
Exit status: 0 when every notebook ran clean and every check it wrote passed,
1 otherwise, 2 for bad arguments.
"""
import argparse
import atexit
import json
import os
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import html_export
import parameters
import results_index
import site_index

KERNEL_NAME = "diffusion-java"
# The kernel starts once per notebook: our LoopThread (tools/kernel/) removed rapaio-jupyter-kernel 3.0.1's start-up
# race, and tools/kernel_starts.py measured 100 of 100 consecutive starts, so a failed start is a real failure and is
# reported with the kernel's own output. A healthy start takes 2-7 s on an idle 2-core machine (up to 15 s under load);
# the timeout leaves room for a machine far busier than that.
STARTUP_TIMEOUT_S = 120
# lines of the kernel's log (its stdout and stderr) quoted when it did not start
KERNEL_LOG_LINES = 30
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def resolve(names, notebooks_dir):
    """Map NAME, NAME.ipynb or a path to notebook paths; all of notebooks_dir when none."""
    if not names:
        return sorted(notebooks_dir.glob("*.ipynb"))
    paths = []
    for name in names:
        candidates = [Path(name), notebooks_dir / name, notebooks_dir / f"{name}.ipynb"]
        found = next((p for p in candidates if p.is_file() and p.suffix == ".ipynb"), None)
        if found is None:
            available = ", ".join(p.stem for p in sorted(notebooks_dir.glob("*.ipynb"))) or "none"
            print(f"error: no notebook '{name}' (looked in {notebooks_dir}; available: {available})",
                  file=sys.stderr)
            sys.exit(2)
        paths.append(found.resolve())
    return paths


def describe_failure(exc, cell_index, cell):
    """A few lines naming the failing cell, its first source line and the error."""
    if cell is None:
        where = "before the first cell (kernel start)"
    else:
        where = f"cell {cell_index}: {(cell.source.strip().splitlines() or [''])[0]}"
    errors = [o for o in cell.outputs if o.output_type == "error"] if cell else []
    if errors:
        error = f"{errors[-1].ename}: {errors[-1].evalue}"
        trace = [ANSI.sub("", line).rstrip() for entry in errors[-1].traceback for line in entry.splitlines()]
    else:  # timeout, dead kernel, kernel that did not start
        error = f"{type(exc).__name__}: {str(exc).strip()}"
        trace = []
    trace = [line for line in trace if line.strip()][:12]
    return "\n".join([f"  at {where}", f"  error: {error}"] + [f"    {line}" for line in trace])


def kernel_output(log_path, lines=KERNEL_LOG_LINES):
    """The last lines of a kernel's log (its stdout and stderr), indented, for a kernel that did not start."""
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.is_file() else ""
    tail = [line.rstrip() for line in text.splitlines() if line.strip()][-lines:]
    if not tail:
        return f"  the kernel wrote nothing to {log_path}"
    return "\n".join([f"  the kernel's output (last {len(tail)} lines of {log_path}):"] + [f"    {line}" for line in tail])


def as_displayed(outputs):
    """A cell's outputs as a terminal or Jupyter shows them: consecutive stream outputs of one name joined, and on each
    line only the text after its last carriage return (a progress line rewrites itself, so a run keeps one line)."""
    merged = []
    for output in outputs:
        if output.output_type == "stream" and merged and merged[-1].output_type == "stream" and merged[-1].name == output.name:
            merged[-1].text += output.text
        else:
            merged.append(output)
    for output in merged:
        if output.output_type == "stream":
            output.text = "\n".join(line.rsplit("\r", 1)[-1] for line in output.text.split("\n"))
    return merged


def execute(path, out_dir, results, log_dir, cell_timeout, values):
    """Run one notebook with parameter values {name: value} (its parameters cell reads them from WORKBENCH_PARAMS);
    write the executed copy to OUT_DIR (its page's assets in RESULTS); return (executed notebook, seconds, failure or None)."""
    nb = nbformat.read(path, as_version=4)
    current = {"index": None, "cell": None}

    def on_cell_start(cell, cell_index):
        current.update(index=cell_index, cell=cell)

    failure = None
    start = time.monotonic()
    log_path = log_dir / f"{path.stem}.kernel.log"
    with open(log_path, "w") as log:
        client = NotebookClient(
            nb, kernel_name=KERNEL_NAME, timeout=cell_timeout, startup_timeout=STARTUP_TIMEOUT_S,
            resources={"metadata": {"path": str(path.parent)}}, on_cell_start=on_cell_start)
        try:
            client.execute(stdout=log, stderr=log)
        except Exception as exc:  # cell error, timeout, dead kernel, kernel start failure
            failure = describe_failure(exc, current["index"], current["cell"])
        finally:
            # nbclient 0.7 leaves this registered when the kernel fails; it then asserts at exit
            atexit.unregister(client._cleanup_kernel)
    if failure and current["cell"] is None:
        failure += "\n" + kernel_output(log_path)
    seconds = time.monotonic() - start
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = as_displayed(cell.outputs)
    nb.metadata["workbench"] = {**nb.metadata.get("workbench", {}), "parameters": values}
    nbformat.write(nb, out_dir / f"{path.stem}.ipynb")
    html_export.export(nb, out_dir / f"{path.stem}.html", results)
    return nb, seconds, failure


def checks_text(checks):
    """'passed/total checks passed', or 'no checks' (checks None: the notebook wrote no checks table)."""
    return "no checks" if checks is None else f"{results_index.count(checks)} checks passed"


def print_summary(rows, checks):
    """The table notebook, status, wall time, checks; then the failing checks of each notebook."""
    width = max([len("notebook")] + [len(r["notebook"]) for r in rows])
    print(f"\n{'notebook':<{width}}  {'status':<6}  {'wall time':>9}  checks")
    print(f"{'-' * width}  {'-' * 6}  {'-' * 9}  {'-' * 6}")
    for r in rows:
        print(f"{r['notebook']:<{width}}  {r['status']:<6}  {r['wall_s']:>8.1f}s  "
              f"{checks_text(checks.get(r['notebook']))}")
    for r in rows:
        failing = results_index.failed(checks.get(r["notebook"]) or [])
        if failing:
            print(f"\n{r['notebook']}: {len(failing)} failing checks")
            for check in failing:
                print(f"  {results_index.describe_check(check)}")


def run_checks(results, name):
    """Rows of RESULTS/tables/NAME_checks.csv, or None when the notebook wrote no checks table."""
    path = results_index.checks_file(results, name)
    table = results_index.read_checks(path, name) if path.is_file() else None
    if path.is_file() and table is None:
        print(f"    {path} has no verdict column: not read as checks", flush=True)
    return None if table is None else table[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True, help="results root (WORKBENCH_RESULTS)")
    parser.add_argument("--logs", type=Path, required=True, help="folder for kernel logs")
    parser.add_argument("--quick", action="store_true", help="quick mode (WORKBENCH_QUICK=1)")
    parser.add_argument("--publish", action="store_true", help="update RESULTS/manifest.csv and README.md")
    parser.add_argument("--cell-timeout", type=int, help="seconds per cell (default 600 quick, 3600 full)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter of the notebooks' parameters cells (repeatable); such a run "
                             "goes to RESULTS/runs/NAME/<parameters>/, never over RESULTS/notebooks")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args()

    home = Path(os.environ["WORKBENCH_HOME"])
    paths = resolve(args.notebooks, home / "notebooks")
    if not paths:
        print(f"No notebooks in {home / 'notebooks'}: nothing to run.")
        return 0

    results = args.results.resolve()
    try:  # every parameter of every notebook is checked before the first kernel starts
        assignments = [parameters.split_assignment(text) for text in args.set]
        plan = []
        for path in paths:
            declared = parameters.declarations(nbformat.read(path, as_version=4), path.stem)
            values = parameters.validate(declared, path.stem, assignments)
            root = results / "runs" / path.stem / parameters.slug(declared, values) if values else results
            plan.append((path, declared, values, root))
    except parameters.ParameterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    args.logs.mkdir(parents=True, exist_ok=True)
    os.environ["WORKBENCH_QUICK"] = "1" if args.quick else "0"
    mode = "quick" if args.quick else "full"
    cell_timeout = args.cell_timeout or (600 if args.quick else 3600)

    rows, failures, checks = [], [], {}
    for i, (path, declared, values, root) in enumerate(plan, 1):
        shown = f", {parameters.slug(declared, values)}" if values else ""
        print(f"[{i}/{len(paths)}] {path.stem} ({mode}{shown}) ...", flush=True)
        out_dir = root / "notebooks"
        out_dir.mkdir(parents=True, exist_ok=True)
        os.environ["WORKBENCH_RESULTS"] = str(root)
        os.environ[parameters.ENVIRONMENT] = parameters.environment(declared, values)
        # a checks table left by an earlier run must not stand for this one (e.g. when a cell fails first)
        results_index.checks_file(root, path.stem).unlink(missing_ok=True)
        nb, seconds, failure = execute(path, out_dir, results, args.logs, cell_timeout, values)
        checks[path.stem] = run_checks(root, path.stem)
        failing = results_index.failed(checks[path.stem] or [])
        # every cell ran, or the run reached its checks table (written last, by checks.requireAll) and only checks
        # failed: its tables are complete, and a sweep summarises it
        executed = failure is None or bool(failing)
        if failing:
            total = len(checks[path.stem])
            failure = (failure + "\n" if failure else "") + f"  {len(failing)} of {total} checks failed: " + \
                f"{results_index.checks_file(root, path.stem)} (listed in the summary)"
        status = "failed" if failure else "ok"
        print(f"[{i}/{len(paths)}] {path.stem}: {status} in {seconds:.1f}s, "
              f"{checks_text(checks[path.stem])}", flush=True)
        rows.append({"notebook": path.stem, "status": status, "mode": mode, "wall_s": seconds,
                     "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                     **results_index.describe(nb)})
        if values:
            results_index.gather_checks(root, [path.stem])
            write_run_manifest(root, rows[-1], values, failure, executed, checks[path.stem])
        if failure:
            failures.append(f"{path} failed\n{failure}\n  executed copy: {out_dir / (path.stem + '.html')}"
                            f"\n  kernel log: {args.logs / (path.stem + '.kernel.log')}")

    print_summary(rows, checks)
    if args.set:
        print(f"\nResults ({mode} mode, parameters overridden) are in " + ", ".join(str(p[3]) for p in plan))
    else:
        publish(args, results, paths, rows, mode)
    for failure in failures:
        print(f"\nFAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def write_run_manifest(root, row, values, failure, executed, checks):
    """ROOT/manifest.json of a run with overridden parameters: parameters, seed, status and error, whether every
    cell executed, checks, wall time, date, commit, mode and machine (tools/sweep.py reads it to skip runs already
    done and to summarise the runs that executed)."""
    manifest = {**row, "parameters": values, "seed": values.get("seed", 0), "error": failure or "", "executed": executed,
                "checks": results_index.count(checks) if checks is not None else "", "commit": results_index.commit(),
                "machine": results_index.machine()}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def publish(args, results, paths, rows, mode):
    """Gather the checks of a run with default parameters into RESULTS; with --publish, the manifest, README and index."""
    gathered = results_index.gather_checks(results, [p.stem for p in paths])
    print(f"\nGathered the checks of {len(gathered)} notebook(s) into {results / 'tables' / results_index.CHECKS_TABLE}")
    if args.publish:
        results_index.publish(results, rows, gathered)
        print(f"Updated {results / 'README.md'}, {results / 'manifest.csv'} and {site_index.write(results)}")
    print(f"Results ({mode} mode) are in {results}")


if __name__ == "__main__":
    sys.exit(main())
