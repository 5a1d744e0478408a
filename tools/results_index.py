"""results/manifest.csv, results/README.md and results/tables/checks.csv.

manifest.csv and README.md say what each executed notebook shows, where it ran and
how many of its checks passed. Rows are keyed by notebook name and merged with the
existing manifest, so a run of one notebook keeps the other rows; rows whose executed
copy is gone are dropped. The checks column is recomputed for every row from tables/checks.csv.

tables/checks.csv gathers the notebooks' own checks tables (tables/NAME_checks.csv,
written by diffusion.report.Checks) in the same way: see gather_checks.
"""
import csv
import os
import platform
import shutil
import subprocess
from pathlib import Path

COLUMNS = ["notebook", "title", "summary", "mode", "status", "checks", "wall_s", "date", "commit",
           "cpu", "cores", "ram_gib", "os", "java", "gpu"]
CHECKS_TABLE = "checks.csv"
# Columns of a checks table as diffusion.report.Checks writes them; only the header of an empty table.
CHECKS_COLUMNS = ["notebook", "section", "check", "value", "reference", "tolerance", "why", "verdict"]


def checks_file(results, name):
    """RESULTS/tables/NAME_checks.csv: the checks table of notebook NAME."""
    return results / "tables" / f"{name}_checks.csv"


def read_checks(path, name):
    """(header, rows) of a checks table, with a leading notebook column (NAME where missing or empty).

    None when the file has no verdict column: then it is some other table whose name ends in _checks.
    """
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = [{k: v or "" for k, v in r.items() if k is not None} for r in reader]
    if "verdict" not in header:
        return None
    header = ["notebook"] + [c for c in header if c != "notebook"]
    for r in rows:
        r["notebook"] = r.get("notebook") or name
    return header, rows


def merge_headers(headers):
    """Union of column lists in order: a column missing so far goes right after its predecessor in its own list."""
    merged = []
    for header in headers:
        previous = None
        for column in header:
            if column not in merged:
                merged.insert(merged.index(previous) + 1 if previous is not None else 0, column)
            previous = column
    return merged


def gather_checks(results, rerun):
    """Write RESULTS/tables/checks.csv, the union of the notebooks' checks tables; return {notebook: rows}.

    Notebooks are those with an executed copy in RESULTS/notebooks plus those in rerun. A notebook takes
    the rows of its tables/NAME_checks.csv; one that was not rerun and has no such file keeps its rows
    from the previous checks.csv; one that was rerun and wrote none has no rows. Rows are sorted by
    notebook, then in their original order.
    """
    tables = results / "tables"
    gathered = tables / CHECKS_TABLE
    previous, headers = {}, [CHECKS_COLUMNS]
    if gathered.is_file():
        old = read_checks(gathered, "")
        if old is not None:
            for r in old[1]:
                previous.setdefault(r["notebook"], []).append(r)
    names = {p.stem for p in (results / "notebooks").glob("*.ipynb")} | set(rerun)
    by_name = {}
    for name in sorted(names):
        path = checks_file(results, name)
        table = read_checks(path, name) if path.is_file() else None
        if table is not None:
            headers.append(table[0])
            by_name[name] = table[1]
        elif name not in rerun and name in previous:
            headers.append(list(previous[name][0]))
            by_name[name] = previous[name]
    tables.mkdir(parents=True, exist_ok=True)
    with open(gathered, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=merge_headers(headers), restval="", lineterminator="\n")
        writer.writeheader()
        for name in sorted(by_name):
            writer.writerows(by_name[name])
    return by_name


def passed(rows):
    """The rows whose verdict is pass (anything else, FAIL or empty, is a failure)."""
    return [r for r in rows if r.get("verdict", "").strip() == "pass"]


def failed(rows):
    return [r for r in rows if r.get("verdict", "").strip() != "pass"]


def count(rows):
    """'passed/total', or '' for a notebook without a checks table (rows None)."""
    return "" if rows is None else f"{len(passed(rows))}/{len(rows)}"


def describe_check(r):
    """section: check = value vs reference ± tolerance (verdict when it is neither pass nor FAIL)."""
    verdict = r.get("verdict", "").strip()
    tail = "" if verdict in ("pass", "FAIL") else f" (verdict '{verdict}')"
    return (f"{r.get('section', '')}: {r.get('check', '')} = {r.get('value', '')} "
            f"vs {r.get('reference', '')} ± {r.get('tolerance', '')}{tail}")


def describe(nb):
    """Title (first '# ' heading of the first Markdown cell), first paragraph after it, Java version."""
    title, summary = "", ""
    markdown = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("# "):
            title = line[2:].strip()
            paragraph = []
            for rest in lines[i + 1:]:
                if rest.strip():
                    paragraph.append(rest.strip())
                elif paragraph:
                    break
            summary = " ".join(paragraph)
            break
    java = nb.metadata.get("language_info", {}).get("version", "unknown")
    return {"title": title, "summary": summary, "java": java}


def commit():
    """The checked-out commit of WORKBENCH_HOME (short hash), with '+changes' when its tracked sources differ from it; '' outside git."""
    home = os.environ.get("WORKBENCH_HOME", ".")
    head = subprocess.run(["git", "-C", home, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        return ""
    changes = subprocess.run(["git", "-C", home, "status", "--porcelain", "--untracked-files=no", "--", "lib", "notebooks", "tools", "pom.xml", "workbench"],
                             capture_output=True, text=True).stdout.strip()
    return head.stdout.strip() + ("+changes" if changes else "")


def machine():
    """CPU model, cores, RAM, OS and GPU of this machine."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = next((l.split(":", 1)[1].strip() for l in cpuinfo.splitlines() if l.startswith("model name")),
               platform.processor() or "unknown")
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    kib = next((int(l.split()[1]) for l in meminfo.splitlines() if l.startswith("MemTotal:")), 0)
    os_release = Path("/etc/os-release").read_text() if Path("/etc/os-release").exists() else ""
    os_name = next((l.split("=", 1)[1].strip('"') for l in os_release.splitlines()
                    if l.startswith("PRETTY_NAME=")), platform.platform())
    return {"cpu": cpu, "cores": str(os.cpu_count()), "ram_gib": f"{kib / 2**20:.1f}",
            "os": os_name, "gpu": gpu()}


def gpu():
    if shutil.which("nvidia-smi"):
        query = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                               capture_output=True, text=True)
        names = [n.strip() for n in query.stdout.splitlines() if n.strip()]
        if query.returncode == 0 and names:
            return ", ".join(names)
    return "no GPU"


def merge(manifest, rows, out_dir):
    kept = {}
    if manifest.exists():
        with open(manifest, newline="", encoding="utf-8") as f:
            kept = {r["notebook"]: r for r in csv.DictReader(f)}
    kept.update({r["notebook"]: r for r in rows})
    return [kept[name] for name in sorted(kept) if (out_dir / f"{name}.ipynb").exists()]


def wall(seconds):
    s = round(float(seconds))
    return f"{float(seconds):.1f} s" if s < 60 else f"{s // 60} min {s % 60:02d} s"


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def readme(rows):
    lines = [
        "# Results",
        "",
        "Written by `./workbench run` after each run; do not edit by hand.",
        "Executed notebooks are in `notebooks/` (.ipynb and .html), figures in `figures/`,",
        "tables in `tables/`; `manifest.csv` holds the same table in machine-readable form.",
        "Every notebook's numerical checks (value, reference, tolerance, why, verdict) are gathered",
        f"in [`tables/{CHECKS_TABLE}`](tables/{CHECKS_TABLE}); Checks counts those that passed.",
        "",
        "| Notebook | What it shows | Mode | Status | Checks | Wall time | Date | Machine |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        name = r["notebook"]
        shows = f"**{cell(r['title'])}** {cell(r['summary'])}".strip() if r["title"] else cell(r["summary"])
        where = f"{r['cpu']}, {r['cores']} cores, {r['ram_gib']} GiB RAM, {r['os']}, Java {r['java']}, {r['gpu']}"
        lines.append(f"| [{name}](notebooks/{name}.ipynb) ([html](notebooks/{name}.html)) | {shows} "
                     f"| {r['mode']} | {r['status']} | {r.get('checks') or 'no checks'} | {wall(r['wall_s'])} "
                     f"| {r['date']} | {cell(where)} |")
    return "\n".join(lines) + "\n"


def publish(results, rows, checks):
    """Merge rows (dicts with notebook, title, summary, mode, status, wall_s, date, java) into results/.

    checks: {notebook: rows of its checks} as gather_checks returns it; sets the checks column of every row.
    """
    here = {**machine(), "commit": commit()}
    rows = [{**here, **r, "wall_s": f"{float(r['wall_s']):.1f}"} for r in rows]
    rows = merge(results / "manifest.csv", rows, results / "notebooks")
    rows = [{**r, "checks": count(checks.get(r["notebook"]))} for r in rows]
    with open(results / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (results / "README.md").write_text(readme(rows), encoding="utf-8")
