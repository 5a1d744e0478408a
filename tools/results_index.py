"""results/manifest.csv and results/README.md: what each executed notebook shows, and where it ran.

Rows are keyed by notebook name and merged with the existing manifest, so a run
of one notebook keeps the other rows; rows whose executed copy is gone are dropped.
"""
import csv
import os
import platform
import shutil
import subprocess
from pathlib import Path

COLUMNS = ["notebook", "title", "summary", "mode", "status", "wall_s", "date",
           "cpu", "cores", "ram_gib", "os", "java", "gpu"]


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
        "",
        "| Notebook | What it shows | Mode | Status | Wall time | Date | Machine |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        name = r["notebook"]
        shows = f"**{cell(r['title'])}** {cell(r['summary'])}".strip() if r["title"] else cell(r["summary"])
        where = f"{r['cpu']}, {r['cores']} cores, {r['ram_gib']} GiB RAM, {r['os']}, Java {r['java']}, {r['gpu']}"
        lines.append(f"| [{name}](notebooks/{name}.ipynb) ([html](notebooks/{name}.html)) | {shows} "
                     f"| {r['mode']} | {r['status']} | {wall(r['wall_s'])} | {r['date']} | {cell(where)} |")
    return "\n".join(lines) + "\n"


def publish(results, rows):
    """Merge rows (dicts with notebook, title, summary, mode, status, wall_s, date, java) into results/."""
    here = machine()
    rows = [{**here, **r, "wall_s": f"{float(r['wall_s']):.1f}"} for r in rows]
    rows = merge(results / "manifest.csv", rows, results / "notebooks")
    with open(results / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (results / "README.md").write_text(readme(rows), encoding="utf-8")
