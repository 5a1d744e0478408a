"""run_notebooks: the kernel is started once per notebook, and a start that fails is reported with the kernel's output."""
import json
import os
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

import run_notebooks

# A stand-in kernel: it records each start in STARTS, writes a line to stderr, then exits or stays silent.
FAKE_KERNEL = textwrap.dedent("""\
    import sys, time
    with open(sys.argv[1], "a") as starts:
        starts.write("start\\n")
    print("fake kernel: a channel thread died during start-up", file=sys.stderr, flush=True)
    if sys.argv[2] == "silent":
        time.sleep(600)
    sys.exit(3)
""")


class KernelStartTest(unittest.TestCase):

    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.root = Path(folder.name)
        self.starts = self.root / "starts.txt"
        script = self.root / "fake_kernel.py"
        script.write_text(FAKE_KERNEL, encoding="utf-8")
        self.script = script
        nb = new_notebook(cells=[new_code_cell("1 + 1")])
        self.notebook = self.root / "01_fake.ipynb"
        nbformat.write(nb, self.notebook)
        for name in ("out", "results", "logs"):
            (self.root / name).mkdir()

    def run_with(self, behaviour, startup_timeout):
        kernel_dir = self.root / "jupyter" / "kernels" / run_notebooks.KERNEL_NAME
        kernel_dir.mkdir(parents=True, exist_ok=True)
        spec = {"argv": [sys.executable, str(self.script), str(self.starts), behaviour, "{connection_file}"],
                "display_name": "fake", "language": "java"}
        (kernel_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        environment = {"JUPYTER_PATH": str(self.root / "jupyter"), "JUPYTER_DATA_DIR": str(self.root / "data")}
        with mock.patch.dict(os.environ, environment), \
                mock.patch.object(run_notebooks, "STARTUP_TIMEOUT_S", startup_timeout):
            _, _, failure = run_notebooks.execute(self.notebook, self.root / "out", self.root / "results",
                                                  self.root / "logs", 30, {})
        return failure

    def assert_reported_once(self, failure):
        self.assertIsNotNone(failure)
        self.assertIn("before the first cell (kernel start)", failure)
        self.assertIn("fake kernel: a channel thread died during start-up", failure)  # the kernel's stderr
        self.assertIn("01_fake.kernel.log", failure)
        self.assertEqual(self.starts.read_text().splitlines(), ["start"], "the kernel must be started exactly once")

    def test_a_kernel_that_dies_is_started_once_and_its_stderr_reported(self):
        failure = self.run_with("exit", startup_timeout=60)
        self.assert_reported_once(failure)
        self.assertIn("Kernel died before replying", failure)

    def test_a_silent_kernel_times_out_once_and_its_stderr_reported(self):
        failure = self.run_with("silent", startup_timeout=3)
        self.assert_reported_once(failure)
        self.assertIn("didn't respond in 3 seconds", failure)  # nbclient's error names the startup timeout

    def test_the_startup_timeout_is_generous(self):
        # healthy starts take up to 15 s on a loaded 2-core machine (kernel_starts.py); the runner waits far longer
        self.assertGreaterEqual(run_notebooks.STARTUP_TIMEOUT_S, 60)

    def test_the_kernel_output_is_quoted_from_its_log(self):
        log = self.root / "logs" / "x.kernel.log"
        log.write_text("".join(f"line {i}\n" for i in range(50)), encoding="utf-8")
        quoted = run_notebooks.kernel_output(log, lines=3).splitlines()
        self.assertEqual(quoted[1:], ["    line 47", "    line 48", "    line 49"])
        self.assertIn("last 3 lines", quoted[0])
        self.assertIn("wrote nothing", run_notebooks.kernel_output(self.root / "logs" / "missing.log"))


if __name__ == "__main__":
    unittest.main()
