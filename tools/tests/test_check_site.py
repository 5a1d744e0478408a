"""check_site in a real headless Chromium: a good page passes; each kind of broken page is caught and named."""
import io
import shutil
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import check_site
import html_export
import site_index
from tests.test_sharing import notebook

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@unittest.skipUnless(Path(CHROMIUM).is_file(), "needs Debian's chromium (./workbench test installs it)")
class CheckSiteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.results = Path(tempfile.mkdtemp(prefix="check-site-test-"))
        (cls.results / "notebooks").mkdir()
        html_export.export(notebook(), cls.results / "notebooks" / "01_a.html", cls.results)
        site_index.write(cls.results)
        head = html_export.math_head(cls.results / "bad.html", cls.results)
        pages = {
            "unrendered": "<p>no renderer: $x^2$</p>",
            "katex_error": f"{head}<p>$\\notamacro x$</p>",
            "raw_tex": f"{head}<p>unclosed \\( x</p>",
            "dead_link": f'{head}<p><a href="missing.html">a</a> <a href="#nowhere">b</a> <a href="https://example.org/">c</a></p>',
            "broken_image": f'{head}<p><img src="missing.png" alt="x"></p>',
            "console_error": f"{head}<script>console.error('something broke')</script>",
        }
        for name, body in pages.items():
            (cls.results / f"{name}.html").write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>")
        cls.browser = check_site.Chromium(CHROMIUM)
        cls.addClassCleanup(cls.browser.close)
        cls.addClassCleanup(shutil.rmtree, cls.results, True)

    def problems(self, name, screenshot=None):
        return " | ".join(check_site.check_page(self.browser, self.results / name, set(), screenshot)[0])

    def test_an_exported_notebook_and_the_index_pass_and_are_screenshot(self):
        shot = self.results / "shots" / "notebook.png"
        self.assertEqual(self.problems("notebooks/01_a.html", shot), "")
        self.assertEqual(shot.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(self.problems("index.html"), "")

    def test_each_broken_page_is_caught(self):
        expected = {
            "unrendered.html": ["formulas not rendered", "raw TeX in the text: ...no renderer: $x^2$"],
            "katex_error.html": ["KaTeX error"],
            "raw_tex.html": ["raw TeX in the text"],
            "dead_link.html": ["link missing.html", "anchor #nowhere not found"],
            "broken_image.html": ["image does not decode: missing.png", "ERR_FILE_NOT_FOUND"],
            "console_error.html": ["console.error: something broke"],
        }
        for page, needles in expected.items():
            found = self.problems(page)
            for needle in needles:
                self.assertIn(needle, found, page)

    def test_external_links_are_counted_not_fetched(self):
        external = set()
        check_site.check_page(self.browser, self.results / "dead_link.html", external)
        self.assertEqual(external, {"https://example.org/"})

    def test_main_fails_on_a_folder_with_a_broken_page_and_rejects_a_folder_without_index(self):
        with redirect_stdout(io.StringIO()) as out:
            self.assertEqual(check_site.main([str(self.results), "--chromium", CHROMIUM,
                                              "--screenshots", str(self.results / "shots")]), 1)
        self.assertIn("FAILED  dead_link.html", out.getvalue())
        self.assertIn("ok      index.html", out.getvalue())
        self.assertTrue((self.results / "shots" / "index.png").is_file())
        with self.assertRaises(SystemExit), redirect_stderr(io.StringIO()):
            check_site.main([str(self.results / "notebooks"), "--chromium", CHROMIUM])


if __name__ == "__main__":
    unittest.main()
