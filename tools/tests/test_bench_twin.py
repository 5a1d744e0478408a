"""torch_twin: the PyTorch side of ./workbench bench --compare (arguments, refusals, the server's answers)."""
import contextlib
import importlib.util
import io
import json
import sys
import unittest
from pathlib import Path
from unittest import mock

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
import torch_twin  # noqa: E402 (after the path)

OPENBLAS = ["/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so"]
HAVE_TORCH = importlib.util.find_spec("torch") is not None


def run_main(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = torch_twin.main(argv)
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()


class ArgumentsTest(unittest.TestCase):
    def test_the_two_modes_are_accepted(self):
        self.assertEqual(torch_twin.parse(["check"]).mode, "check")
        self.assertEqual(torch_twin.parse(["serve"]).mode, "serve")

    def test_an_unknown_or_missing_mode_is_refused_with_usage(self):
        for argv in (["bench"], []):
            code, _, err = run_main(argv)
            self.assertEqual(code, 2, argv)
            self.assertIn("usage: torch_twin.py", err)


class MissingTorchTest(unittest.TestCase):
    def test_missing_torch_says_what_to_install_and_exits_3(self):
        with mock.patch.dict(sys.modules, {"torch": None}):  # import torch raises ImportError
            code, out, err = run_main(["check"])
        self.assertEqual(code, 3)
        answer = json.loads(out)
        self.assertFalse(answer["usable"])
        self.assertIn("PyTorch is not installed", answer["message"])
        self.assertIn("apt-get install python3-torch libopenblas0-pthread", answer["message"])
        self.assertIn("apt-get install python3-torch libopenblas0-pthread", err)

    def test_serve_refuses_too_before_reading_commands(self):
        with mock.patch.dict(sys.modules, {"torch": None}):
            code, out, _ = run_main(["serve"])
        self.assertEqual(code, 3)
        self.assertNotIn("ready", json.loads(out))


class BlasTest(unittest.TestCase):
    def test_openblas_at_its_rate_is_accepted(self):
        self.assertIsNone(torch_twin.blas_refusal("1.13", OPENBLAS, 40.0))

    def test_the_reference_blas_is_refused_naming_the_package(self):
        message = torch_twin.blas_refusal("1.13", [torch_twin.REFERENCE_BLAS], 40.0)
        self.assertIn("reference BLAS", message)
        self.assertIn("libopenblas0-pthread", message)
        self.assertIn("update-alternatives --query libblas.so.3-x86_64-linux-gnu", message)

    def test_no_blas_library_found_is_refused(self):
        self.assertIn("no BLAS library found", torch_twin.blas_refusal("1.13", [], 40.0))

    def test_a_rate_of_the_reference_blas_is_refused_even_with_openblas_loaded(self):
        message = torch_twin.blas_refusal("1.13", OPENBLAS, 1.5)
        self.assertIn("1.5 GFLOP/s", message)
        self.assertIn("below the 5 expected", message)

    def test_a_refused_blas_exits_4_with_the_message(self):
        fake = mock.MagicMock(__version__="1.13")
        with mock.patch.object(torch_twin, "import_torch", return_value=fake), \
                mock.patch.object(torch_twin, "loaded_blas", return_value=[torch_twin.REFERENCE_BLAS]), \
                mock.patch.object(torch_twin, "set_threads"), \
                mock.patch.object(torch_twin, "gflops_matmul", return_value=1.2):
            code, out, _ = run_main(["check"])
        self.assertEqual(code, 4)
        self.assertIn("reference BLAS", json.loads(out)["message"])


@unittest.skipUnless(HAVE_TORCH, "PyTorch is not installed (python3-torch)")
class ServeTest(unittest.TestCase):
    def setUp(self):
        import torch
        self.twin = torch_twin.Twin(torch, [])

    def test_unknown_workload_and_bad_threads_are_refused(self):
        with self.assertRaisesRegex(ValueError, "unknown workload 'nope'"):
            self.twin.run({"workload": "nope"})
        with self.assertRaisesRegex(ValueError, "threads = 0: must be >= 1"):
            self.twin.run({"workload": "matmul", "threads": 0})

    def test_errors_are_answered_and_the_server_goes_on(self):
        import torch
        out = io.StringIO()
        lines = ['{"workload": "nope"}', '{"workload": "mlp_train", "batch": 8, "steps": 1}']
        torch_twin.serve(torch, [], {"torch": "x"}, lines, out)
        answers = [json.loads(line) for line in out.getvalue().splitlines()]
        self.assertTrue(answers[0]["ready"])
        self.assertIn("unknown workload", answers[1]["error"])
        self.assertGreater(answers[2]["seconds_per_step"], 0)

    def test_the_twins_have_the_workbench_parameter_counts(self):
        # EpsMlp.forDim(2): (34 + 1) 128 + 2 (128 + 1) 128 + (128 + 1) 2; UNet.forDigits() as the Java side prints it.
        self.assertEqual(torch_twin.parameters(self.twin.EpsMlp()), 35 * 128 + 2 * 129 * 128 + 129 * 2)
        self.assertEqual(torch_twin.parameters(self.twin.unet("digits")), 163985)


if __name__ == "__main__":
    unittest.main()
