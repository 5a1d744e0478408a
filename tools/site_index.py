"""RESULTS/index.html: one page listing every executed notebook and every sweep, opened from the file system.

A notebook's card shows its key figure (the figures/NN_*.png its code saves last, or the one its metadata
names under workbench.key_figure), title, summary, mode, status, checks passed/total, wall time, date and
commit (from manifest.csv), with links to its HTML and .ipynb. A sweep's card (runs/NAME/sweep.json, written
by tools/sweep.py) shows its summary figure, grid, runs done/failed and links to the summary table and to
every run's HTML. Everything is linked relatively; formulas are rendered by the KaTeX in RESULTS/assets.
"""
import csv
import html
import json
import re
from pathlib import Path

import html_export
import results_index

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } .lead { color: #555; margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1.2em; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.8em 1em; background: #fff; }
.card img { width: 100%; max-height: 220px; object-fit: contain; background: #fafafa; }
.card h2 { font-size: 1.1em; margin: 0.5em 0 0.3em; } .card p { font-size: 0.9em; margin: 0.3em 0; }
.facts { font-size: 0.85em; color: #444; } .facts td { padding: 0 0.8em 0 0; }
.ok { color: #1a7f37; } .failed { color: #cf222e; font-weight: bold; }
table.runs { font-size: 0.8em; border-collapse: collapse; } table.runs td, table.runs th { padding: 0.1em 0.5em; text-align: left; }
"""


def esc(text):
    return html.escape(str(text), quote=True)


def manifest_rows(results):
    path = results / "manifest.csv"
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def key_figure(results, notebook_dir, name):
    """Relative path (from RESULTS) of the notebook's key figure, or None."""
    import nbformat

    ipynb = notebook_dir / f"{name}.ipynb"
    if not ipynb.is_file():
        return None
    nb = nbformat.read(ipynb, as_version=4)
    figures = notebook_dir.parent / "figures"
    named = nb.metadata.get("workbench", {}).get("key_figure")
    prefix = name.split("_", 1)[0] + "_"
    saved = [m for c in nb.cells if c.cell_type == "code" for m in re.findall(r'"(' + re.escape(prefix) + r'[\w.-]+)"', c.source)]
    for candidate in ([named] if named else []) + saved[::-1]:
        if (figures / f"{candidate}.png").is_file():
            return (figures / f"{candidate}.png").relative_to(results).as_posix()
    return None


def notebook_card(results, row):
    name = row["notebook"]
    page = f"notebooks/{name}.html"
    figure = key_figure(results, results / "notebooks", name)
    image = f'<a href="{esc(page)}"><img src="{esc(figure)}" alt="key figure of {esc(name)}"></a>' if figure else ""
    status = row.get("status", "")
    facts = [("mode", row.get("mode", "")), ("status", f'<span class="{esc(status)}">{esc(status)}</span>'),
             ("checks", esc(row.get("checks") or "no checks")), ("wall time", esc(results_index.wall(row["wall_s"]) if row.get("wall_s") else "")),
             ("date", esc(row.get("date", ""))), ("commit", esc(row.get("commit") or "not recorded"))]
    return f"""<div class="card">{image}
<h2><a href="{esc(page)}">{esc(row.get('title') or name)}</a></h2>
<p>{esc(row.get('summary', ''))}</p>
<table class="facts">{''.join(f'<tr><td>{k}</td><td>{v}</td></tr>' for k, v in facts)}</table>
<p><a href="{esc(page)}">HTML</a> · <a href="notebooks/{esc(name)}.ipynb">.ipynb</a></p>
</div>"""


def sweep_card(results, sweep_json):
    sweep = json.loads(sweep_json.read_text(encoding="utf-8"))
    base = sweep_json.parent.relative_to(results).as_posix()
    figure = f"{base}/{sweep['figure']}" if sweep.get("figure") and (sweep_json.parent / sweep["figure"]).is_file() else None
    image = f'<img src="{esc(figure)}" alt="summary of the sweep over {esc(sweep["notebook"])}">' if figure else ""
    grid = ", ".join(f"{k} = {'/'.join(map(str, v))}" for k, v in sweep["grid"].items()) or "defaults"
    rows = "".join(
        f'<tr><td><a href="{esc(base + "/" + r["dir"] + "/notebooks/" + sweep["notebook"] + ".html")}">{esc(r["dir"])}</a></td>'
        f'<td class="{esc(r["status"])}">{esc(r["status"])}</td><td>{esc(r.get("error", ""))[:200]}</td></tr>'
        for r in sweep["runs"])
    done = sum(r["status"] == "ok" for r in sweep["runs"])
    failed = sum(r["status"] == "failed" for r in sweep["runs"])
    return f"""<div class="card">{image}
<h2>Sweep: {esc(sweep['notebook'])}</h2>
<p>{esc(grid)}; {esc(sweep['seeds'])} seed(s) per setting</p>
<table class="facts"><tr><td>mode</td><td>{esc(sweep['mode'])}</td></tr>
<tr><td>runs</td><td>{done} ok, <span class="{'failed' if failed else 'ok'}">{failed} failed</span>, {len(sweep['runs'])} in all</td></tr>
<tr><td>date</td><td>{esc(sweep['date'])}</td></tr><tr><td>commit</td><td>{esc(sweep['commit'])}</td></tr></table>
<p><a href="{esc(base)}/{esc(sweep['summary'])}">summary table (mean and spread over seeds)</a> ·
<a href="{esc(base)}/runs.csv">every run</a></p>
<table class="runs"><tr><th>run</th><th>status</th><th>error</th></tr>{rows}</table>
</div>"""


def write(results):
    """Write RESULTS/index.html from manifest.csv and runs/*/sweep.json; return its path."""
    results = Path(results)
    index = results / "index.html"
    notebooks = [notebook_card(results, r) for r in manifest_rows(results)
                 if (results / "notebooks" / f"{r['notebook']}.html").is_file()]
    sweeps = [sweep_card(results, s) for s in sorted(results.glob("runs/*/sweep.json"))]
    checks = '<a href="tables/checks.csv">tables/checks.csv</a>' if (results / "tables" / results_index.CHECKS_TABLE).is_file() else "none yet"
    index.write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>diffusion-workbench results</title>
<style>{STYLE}</style>
{html_export.math_head(index, results)}
</head><body>
<h1>diffusion-workbench results</h1>
<p class="lead">{len(notebooks)} executed notebook(s) and {len(sweeps)} sweep(s). Every numerical check of every notebook: {checks}.
Opens from the file system; nothing is loaded from the network.</p>
<h2>Notebooks</h2>
<div class="cards">
{chr(10).join(notebooks) or '<p>No executed notebooks.</p>'}
</div>
<h2>Sweeps</h2>
<div class="cards">
{chr(10).join(sweeps) or '<p>No sweeps yet: <code>./workbench sweep NOTEBOOK name=v1,v2 --seeds K</code>.</p>'}
</div>
</body></html>
""", encoding="utf-8")
    return index
