"""Executed notebooks as HTML that opens from the file system, offline.

Pages render their mathematics with KaTeX (Debian's libjs-katex, copied once into RESULTS/assets/katex/ and
referenced relatively, so a results folder can be moved or shared as it is), link JupyterLab's stylesheets
from RESULTS/assets/jupyterlab/ rather than carrying half a megabyte of CSS each, load nothing from the network,
and take their title from the notebook's first '# ' heading. The template is tools/nbconvert/workbench
(JupyterLab's, without require.js and MathJax).

usage: html_export.py RESULTS   re-export every RESULTS/**/notebooks/NAME.html from its executed NAME.ipynb
                                (nothing is executed) and rewrite RESULTS/index.html
"""
import copy
import os
import shutil
import sys
from pathlib import Path

import results_index

KATEX_DIR = Path("/usr/share/javascript/katex")  # Debian package libjs-katex
KATEX_FILES = ["katex.min.js", "katex.min.css", "contrib/auto-render.js"]
KATEX_LICENSE = Path("/usr/share/doc/libjs-katex/copyright")
# KaTeX shows what it cannot parse in this colour (a .katex-error, or an unknown macro as coloured text): check_site looks for it.
ERROR_COLOR = "#cc0000"
TEMPLATES = Path(__file__).resolve().parent / "nbconvert"
# $...$ and $$...$$ as Jupyter writes them, plus the LaTeX forms; auto-render skips pre, code, script and style.
DELIMITERS = ('[{left: "$$", right: "$$", display: true}, {left: "\\\\[", right: "\\\\]", display: true}, '
              '{left: "$", right: "$", display: false}, {left: "\\\\(", right: "\\\\)", display: false}]')


def assets(results):
    """RESULTS/assets/, with katex/ copied from libjs-katex when missing (only the woff2 fonts: every current browser reads them)."""
    folder = Path(results) / "assets"
    target = folder / "katex"
    if (target / KATEX_FILES[0]).is_file():
        return folder
    if not (KATEX_DIR / KATEX_FILES[0]).is_file():
        raise FileNotFoundError(f"KaTeX not found at {KATEX_DIR}: install the Debian package libjs-katex "
                                "(./workbench installs it when run as root)")
    for name in KATEX_FILES:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(KATEX_DIR / name, target / name)
    (target / "fonts").mkdir(exist_ok=True)
    for font in sorted((KATEX_DIR / "fonts").glob("*.woff2")):
        shutil.copyfile(font, target / "fonts" / font.name)
    if KATEX_LICENSE.is_file():
        shutil.copyfile(KATEX_LICENSE, target / "COPYRIGHT")
    return folder


def relative(page, results):
    """The path from PAGE's folder to RESULTS/assets, as a page links it."""
    return Path(os.path.relpath(assets(results), Path(page).parent)).as_posix()


def math_head(page, results):
    """<head> lines that load KaTeX from RESULTS/assets relative to the page PAGE and render the page's formulas.

    When done (or failed) the page's <html> element carries data-math="done" (or "error: ..."): the browser check waits for it.
    """
    rel = relative(page, results) + "/katex"
    return f"""<link rel="stylesheet" href="{rel}/katex.min.css">
<script defer src="{rel}/katex.min.js"></script>
<script defer src="{rel}/contrib/auto-render.js"></script>
<script>
document.addEventListener("DOMContentLoaded", function () {{
  try {{
    renderMathInElement(document.body, {{delimiters: {DELIMITERS}, throwOnError: false, errorColor: "{ERROR_COLOR}"}});
    document.documentElement.dataset.math = "done";
  }} catch (e) {{
    document.documentElement.dataset.math = "error: " + e;
  }}
}});
</script>"""


def exporter(page, results):
    """nbconvert's HTMLExporter with the workbench template, linking JupyterLab's stylesheets (half a megabyte)
    from RESULTS/assets/jupyterlab/, written once, instead of inlining them in every page."""
    import markupsafe
    from nbconvert import HTMLExporter  # Debian's jupyter-nbconvert; imported here so that index writing needs none

    class SharedCss(HTMLExporter):
        def _init_resources(self, resources):
            resources = super()._init_resources(resources)
            resources["include_css"] = self.link_css
            return resources

        def link_css(self, name):
            source = self.environment.loader.get_source(self.environment, name)[0]
            target = assets(results) / "jupyterlab" / Path(name).name
            if not target.is_file() or target.read_text(encoding="utf-8") != source:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(source, encoding="utf-8")
            return markupsafe.Markup(f'<link rel="stylesheet" href="{relative(page, results)}/jupyterlab/{target.name}">')

    return SharedCss(template_name="workbench", extra_template_basedirs=[str(TEMPLATES)])


def export(nb, page, results):
    """Write notebook nb as HTML to PAGE (a path under RESULTS); nb itself is left unchanged."""
    shown = copy.deepcopy(nb)
    shown.metadata["title"] = results_index.describe(nb)["title"] or Path(page).stem
    body, _ = exporter(page, results).from_notebook_node(shown, resources={"math_head": math_head(page, results)})
    Path(page).write_text(body, encoding="utf-8")


def reexport(results):
    """Re-export every executed notebook under RESULTS (RESULTS/notebooks and the sweeps' runs); return the pages."""
    import nbformat

    pages = []
    for ipynb in sorted(Path(results).rglob("notebooks/*.ipynb")):
        page = ipynb.with_suffix(".html")
        export(nbformat.read(ipynb, as_version=4), page, results)
        pages.append(page)
    return pages


def main(argv):
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__.split("usage: ", 1)[1], file=sys.stderr)
        return 2
    import site_index

    results = Path(argv[0]).resolve()
    pages = reexport(results)
    index = site_index.write(results)
    print(f"Re-exported {len(pages)} page(s) and wrote {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
