"""html_export, site_index and size_budget: pages that open offline, the index, the size budget."""
import csv
import json
import tempfile
import unittest
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import html_export
import site_index
import size_budget


def temporary_folder(test):
    """A fresh folder removed when test ends."""
    folder = tempfile.TemporaryDirectory()
    test.addCleanup(folder.cleanup)
    return Path(folder.name)


def notebook(title="01 · A title with $x^2$"):
    nb = new_notebook(cells=[new_markdown_cell(f"# {title}\nSummary with $\\alpha_t$.\n\n## Part $\\beta$"),
                             new_code_cell('Figures.save("01_first", c); Figures.save("01_last", c);')])
    nb.metadata["kernelspec"] = {"name": "diffusion-java", "display_name": "Java", "language": "java"}
    return nb


class HtmlExportTest(unittest.TestCase):
    def setUp(self):
        self.results = temporary_folder(self)

    def test_page_has_the_notebook_title_and_loads_katex_relatively_and_nothing_remote(self):
        page = self.results / "notebooks" / "01_a.html"
        page.parent.mkdir()
        html_export.export(notebook(), page, self.results)
        text = page.read_text()
        self.assertIn("<title>01 · A title with $x^2$</title>", text)
        self.assertIn('src="../assets/katex/katex.min.js"', text)
        self.assertNotIn('src="http', text)
        self.assertNotIn("mathjax", text.lower())
        self.assertTrue((self.results / "assets/katex/fonts/KaTeX_Main-Regular.woff2").is_file())
        # JupyterLab's half megabyte of CSS is linked from assets/, not inlined in every page
        self.assertIn('href="../assets/jupyterlab/index.css"', text)
        self.assertLess(len(text), 100_000)
        self.assertTrue((self.results / "assets/jupyterlab/index.css").stat().st_size > 100_000)

    def test_a_sweep_run_page_points_up_to_the_shared_assets(self):
        page = self.results / "runs" / "01_a" / "T=10" / "notebooks" / "01_a.html"
        page.parent.mkdir(parents=True)
        html_export.export(notebook(), page, self.results)
        self.assertIn('src="../../../../assets/katex/katex.min.js"', page.read_text())

    def test_a_notebook_without_heading_is_titled_by_its_name(self):
        page = self.results / "02_b.html"
        html_export.export(new_notebook(cells=[new_markdown_cell("no heading")]), page, self.results)
        self.assertIn("<title>02_b</title>", page.read_text())


class SiteIndexTest(unittest.TestCase):
    def test_index_lists_notebooks_with_key_figure_numbers_and_sweeps(self):
        results = temporary_folder(self)
        (results / "notebooks").mkdir()
        (results / "figures").mkdir()
        nbformat.write(notebook(), results / "notebooks" / "01_a.ipynb")
        (results / "notebooks" / "01_a.html").write_text("<html></html>")
        for name in ("01_first", "01_last"):
            (results / "figures" / f"{name}.png").write_bytes(b"")
        with open(results / "manifest.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["notebook", "title", "summary", "mode", "status", "checks", "wall_s", "date", "commit"])
            w.writeheader()
            w.writerow({"notebook": "01_a", "title": "01 · A", "summary": "s", "mode": "full", "status": "ok",
                        "checks": "3/4", "wall_s": "75.0", "date": "2026-01-01", "commit": "abc1234"})
        sweep = results / "runs" / "01_a"
        sweep.mkdir(parents=True)
        (sweep / "sweep.json").write_text(json.dumps({
            "notebook": "01_a", "grid": {"T": [10, 20]}, "seeds": 2, "mode": "quick", "date": "d", "commit": "c",
            "summary": "summary.csv", "figure": "summary.png",
            "runs": [{"dir": "T=10,seed=0", "status": "ok"}, {"dir": "T=10,seed=1", "status": "failed", "error": "boom"}]}))
        text = site_index.write(results).read_text()
        self.assertIn('src="figures/01_last.png"', text)  # the last figure the code saves
        for fact in ("3/4", "1 min 15 s", "abc1234", 'href="notebooks/01_a.html"', "Sweep: 01_a", "T = 10/20",
                     "1 ok", "1 failed", "boom", 'href="runs/01_a/T=10,seed=1/notebooks/01_a.html"'):
            self.assertIn(fact, text)


class SizeBudgetTest(unittest.TestCase):
    def setUp(self):
        self.results = temporary_folder(self)
        (self.results / "runs" / "02_x" / "a").mkdir(parents=True)
        (self.results / "runs" / "02_x" / "a" / "big.bin").write_bytes(b"0" * 2_000_000)
        (self.results / "index.html").write_bytes(b"0" * 500_000)

    def test_parts_are_top_level_entries_and_one_per_sweep(self):
        self.assertEqual(size_budget.sizes(self.results), {"runs/02_x": 2_000_000, "index.html": 500_000})

    def test_within_and_over_budget(self):
        self.assertEqual(size_budget.main([str(self.results), "3"]), 0)
        self.assertEqual(size_budget.main([str(self.results), "2"]), 1)

    def test_bad_arguments(self):
        for argv in ([str(self.results)], [str(self.results), "lots"], [str(self.results), "0"],
                     [str(self.results / "missing"), "5"]):
            self.assertEqual(size_budget.main(argv), 2, argv)


if __name__ == "__main__":
    unittest.main()
