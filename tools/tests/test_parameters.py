"""parameters: the declarations of a parameters cell, and overrides rejected before any kernel starts."""
import io
import unittest
from contextlib import redirect_stderr
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import parameters
from parameters import ParameterError

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CELL = '''var P = diffusion.report.Parameters.of("nb");
int seed = P.integer("seed", 0, 0, 999); // moves every seed
double eta = P.real("eta", 0.5, 0.0, 1e1);
String schedule = P.choice("schedule", "linear", "linear", "cosine");
boolean ema = P.bool("ema", true);
P.show();'''


def notebook(source=CELL):
    return new_notebook(cells=[new_markdown_cell("# t"), new_code_cell(source, metadata={"tags": ["parameters"]})])


class DeclarationsTest(unittest.TestCase):
    def test_every_kind_is_read_with_default_and_range(self):
        d = parameters.declarations(notebook(), "nb")
        self.assertEqual(list(d), ["seed", "eta", "schedule", "ema"])
        self.assertEqual((d["seed"].default, d["seed"].low, d["seed"].high), (0, 0, 999))
        self.assertEqual((d["eta"].default, d["eta"].high), (0.5, 10.0))
        self.assertEqual((d["schedule"].default, d["schedule"].choices), ("linear", ["linear", "cosine"]))
        self.assertIs(d["ema"].default, True)

    def test_a_notebook_without_parameters_cell_has_none(self):
        self.assertEqual(parameters.declarations(new_notebook(cells=[new_code_cell("int T = 3;")]), "nb"), {})

    def test_declarations_that_are_not_literals_or_repeat_or_break_their_range_are_rejected(self):
        for source, message in [
            ('int T = P.integer("T", RunMode.pick(1, 2), 1, 9);', "cannot read the declaration P.integer"),
            ('int T = P.integer("T", 1, 1, 9); int U = P.integer("T", 1, 1, 9);', "parameter T is declared twice"),
            ('int T = P.integer("T", 10, 1, 9);', "default 10 is not an integer in [1, 9]"),
            ('String s = P.choice("s", "x", "a", "b");', "default x is not one of a, b"),
        ]:
            with self.assertRaises(ParameterError) as e:
                parameters.declarations(notebook(source), "nb")
            self.assertIn(message, str(e.exception))

    def test_every_shipped_parameters_cell_parses_and_has_a_seed(self):
        for path in sorted(NOTEBOOKS.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            if parameters.parameters_cell(nb) is not None:
                declared = parameters.declarations(nb, path.stem)
                self.assertIn("seed", declared, path.stem)
                self.assertEqual(declared["seed"].default, 0, f"{path.stem}: seed 0 must reproduce the published run")
                self.assertIn(f'Parameters.of("{path.stem}")', parameters.parameters_cell(nb).source)


class ValidateTest(unittest.TestCase):
    def setUp(self):
        self.d = parameters.declarations(notebook(), "nb")

    def test_values_are_typed_ordered_and_passed_on_as_java_reads_them(self):
        values = parameters.validate(self.d, "nb", [("schedule", "cosine"), ("seed", "2"), ("eta", "1e-1"), ("ema", "false")])
        self.assertEqual(values, {"seed": 2, "eta": 0.1, "schedule": "cosine", "ema": False})
        self.assertEqual(parameters.environment(self.d, values), "seed=2;eta=0.1;schedule=cosine;ema=false")
        self.assertEqual(parameters.slug(self.d, values), "seed=2,eta=0.1,schedule=cosine,ema=false")
        self.assertEqual(parameters.slug(self.d, {}), "defaults")

    def test_bad_overrides_name_the_parameter_the_value_and_what_is_accepted(self):
        for assignment, message in [
            (("steps", "3"), "nb: no parameter 'steps'; accepted: seed (an integer in [0, 999]; default 0); eta (a number"),
            (("seed", "1000"), "nb: parameter seed = '1000': must be an integer in [0, 999]"),
            (("seed", "1.5"), "must be an integer in [0, 999]"),
            (("eta", "nan"), "nb: parameter eta = 'nan': must be a number in [0.0, 10.0]"),
            (("eta", "11"), "must be a number in [0.0, 10.0]"),
            (("schedule", "quadratic"), "must be one of linear, cosine"),
            (("ema", "yes"), "must be true or false"),
        ]:
            with self.assertRaises(ParameterError) as e:
                parameters.validate(self.d, "nb", [assignment])
            self.assertIn(message, str(e.exception))

    def test_assignments_must_be_name_equals_value(self):
        for text in ("T", "=3", "1x=3"):
            with self.assertRaises(ParameterError):
                parameters.split_assignment(text)
        self.assertEqual(parameters.split_assignment("T = 500"), ("T", "500"))

    def test_the_command_line_check_exits_2_with_the_message(self):
        with redirect_stderr(io.StringIO()) as err:
            self.assertEqual(parameters.main([str(NOTEBOOKS), "--set", "nonexistent=1", "02_ddpm_2d"]), 2)
        self.assertIn("02_ddpm_2d: no parameter 'nonexistent'; accepted: seed", err.getvalue())

    def test_the_runner_rejects_a_bad_set_before_any_kernel_starts(self):
        import os
        import tempfile
        from unittest import mock

        import run_notebooks

        with tempfile.TemporaryDirectory() as results, redirect_stderr(io.StringIO()) as err, \
                mock.patch.dict(os.environ, {"WORKBENCH_HOME": str(NOTEBOOKS.parent)}), \
                mock.patch.object(run_notebooks, "execute", side_effect=AssertionError("a kernel started")), \
                mock.patch("sys.argv", ["run_notebooks.py", "--results", results, "--logs", results, "--quick",
                                        "--set", "schedule=quadratic", "02_ddpm_2d"]):
            self.assertEqual(run_notebooks.main(), 2)
        self.assertIn("02_ddpm_2d: parameter schedule = 'quadratic': must be one of linear, cosine", err.getvalue())


if __name__ == "__main__":
    unittest.main()
