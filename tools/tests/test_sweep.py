"""sweep: grids, seeds, skip and resume, failed runs listed, the summary across seeds; no kernel needed."""
import csv
import io
import json
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import parameters
import results_index
import sweep
from parameters import ParameterError
from tests.test_parameters import notebook

HOME = Path(__file__).resolve().parents[2]


class GridTest(unittest.TestCase):
    def setUp(self):
        self.d = parameters.declarations(notebook(), "nb")

    def test_grid_times_seeds_in_declaration_order(self):
        grid = sweep.grid_of(self.d, "nb", ["schedule=linear,cosine", "eta=0.1, 0.2"])
        self.assertEqual(grid, {"schedule": ["linear", "cosine"], "eta": [0.1, 0.2]})
        points = sweep.points_of(self.d, "nb", grid, 2)
        self.assertEqual(len(points), 8)
        self.assertEqual(points[0], {"seed": 0, "eta": 0.1, "schedule": "linear"})
        self.assertEqual(points[1], {"seed": 1, "eta": 0.1, "schedule": "linear"})

    def test_bad_sweeps_are_rejected_before_any_run(self):
        for grid, seeds, message in [
            (["eta="], 1, "eta=: no values"),
            (["eta=,"], 1, "eta=,: no values"),
            (["eta=0.1", "eta=0.2"], 1, "eta is given twice"),
            (["steps=1,2"], 1, "no parameter 'steps'; accepted: seed"),
            (["eta=0.1,20"], 1, "parameter eta = '20': must be a number in [0.0, 10.0]"),
            (["schedule=linear"], 0, "--seeds 0: must be at least 1"),
            (["seed=1,2"], 1, "seed is set by --seeds K"),
            ([], 1001, "parameter seed = '1000': must be an integer in [0, 999]"),
            ([], 1, "nothing to sweep"),
        ]:
            with self.assertRaises(ParameterError) as e:
                sweep.points_of(self.d, "nb", sweep.grid_of(self.d, "nb", grid), seeds)
            self.assertIn(message, str(e.exception))

    def test_a_notebook_without_seed_parameter_cannot_sweep(self):
        d = parameters.declarations(notebook('int T = P.integer("T", 1, 1, 9);'), "nb")
        with self.assertRaises(ParameterError) as e:
            sweep.points_of(d, "nb", {"T": [1, 2]}, 1)
        self.assertIn("declares no seed parameter", str(e.exception))


def fake_run(results, fail):
    """A stand-in for run_one: writes what run_notebooks.py would (manifest.json, a checks table, a small table)."""
    calls = []

    def run_one(notebook_path, declared, values, args, progress):
        slug = parameters.slug(declared, values)
        calls.append(slug)
        run_dir = results / "runs" / notebook_path.stem / slug
        (run_dir / "tables").mkdir(parents=True, exist_ok=True)
        ok = not fail(values)
        with open(results_index.checks_file(run_dir, notebook_path.stem), "w") as f:
            f.write("notebook,section,check,value,reference,tolerance,why,verdict\n")
            f.write(f"nb,1. s,error,{0.1 * (values['seed'] + 1) * (2 if values.get('schedule') == 'cosine' else 1)},0,1,w,pass\n")
        (run_dir / "tables" / "nb_quality.csv").write_text(f"sampler,W2,label\nddpm,{values['seed'] + 1},x\n")
        m = {"status": "ok" if ok else "failed", "parameters": values, "mode": "quick", "commit": results_index.commit(),
             "wall_s": 10.0, "checks": "1/1", "error": "" if ok else "at cell 3: boom", "executed": ok}
        (run_dir / "manifest.json").write_text(json.dumps(m))
        progress.started()
        progress.ended(slug, ok, 10.0)
        return {"dir": slug, "status": m["status"], "executed": ok, "error": m["error"], **values, "wall_s": "10.0", "checks": "1/1",
                "commit": m["commit"]}

    return run_one, calls


class SweepMainTest(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.results = Path(folder.name)
        (self.results / "notebooks").mkdir()
        nb_path = self.results / "notebooks" / "nb.ipynb"
        import nbformat
        nbformat.write(notebook(), nb_path)
        self.nb_path = nb_path
        self.env = mock.patch.dict(os.environ, {"WORKBENCH_HOME": str(HOME)})
        self.env.start()
        self.addCleanup(self.env.stop)

    def sweep(self, fail=lambda v: False, *extra):
        run_one, calls = fake_run(self.results, fail)
        out = io.StringIO()
        with mock.patch.object(sweep, "run_one", run_one), redirect_stdout(out), redirect_stderr(out):
            rc = sweep.main(["--results", str(self.results), "--logs", str(self.results / "logs"), "--quick",
                             str(self.nb_path), "schedule=linear,cosine", "--seeds", "2", *extra])
        return rc, calls, out.getvalue()

    def test_runs_summary_progress_skip_redo_and_failures(self):
        rc, calls, out = self.sweep()
        self.assertEqual(rc, 0)
        self.assertEqual(sorted(calls), ["seed=0,schedule=cosine", "seed=0,schedule=linear",
                                         "seed=1,schedule=cosine", "seed=1,schedule=linear"])
        self.assertIn("4/4 done (0 skipped, 0 failed), 0 running, ETA 0.0 s", out)
        root = self.results / "runs" / "nb"
        with open(root / "summary.csv") as f:
            summary = {(r["schedule"], r["metric"]): r for r in csv.DictReader(f)}
        error = summary[("linear", "check | 1. s | error")]
        self.assertEqual((error["n"], error["mean"], error["min"], error["max"]), ("2", "0.15", "0.1", "0.2"))
        self.assertAlmostEqual(float(error["sd"]), 0.0707107, places=6)
        self.assertEqual(summary[("cosine", "check | 1. s | error")]["mean"], "0.3")
        self.assertEqual(summary[("linear", "table | nb_quality | ddpm | W2")]["mean"], "1.5")
        self.assertEqual(summary[("linear", "checks passed (fraction)")]["mean"], "1")
        self.assertIn("<svg", (root / "summary.svg").read_text())
        self.assertIn("Sweep: nb", (self.results / "index.html").read_text())
        # a rerun skips what is done; --redo runs everything again
        rc, calls, out = self.sweep()
        self.assertEqual((rc, calls), (0, []))
        self.assertIn("4 runs (4 already done, 0 to run", out)
        self.assertEqual(len(self.sweep(lambda v: False, "--redo")[1]), 4)

    def test_a_failed_run_is_listed_with_its_error_and_run_again_next_time(self):
        rc, calls, out = self.sweep(lambda v: v["schedule"] == "cosine" and v["seed"] == 1)
        self.assertEqual(rc, 1)
        self.assertIn("FAILED: seed=1,schedule=cosine: at cell 3: boom", out)
        with open(self.results / "runs" / "nb" / "runs.csv") as f:
            runs = {r["dir"]: r for r in csv.DictReader(f)}
        self.assertEqual(len(runs), 4)
        self.assertEqual(runs["seed=1,schedule=cosine"]["status"], "failed")
        self.assertEqual(runs["seed=1,schedule=cosine"]["error"], "at cell 3: boom")
        sweep_json = json.loads((self.results / "runs" / "nb" / "sweep.json").read_text())
        self.assertEqual([r["status"] for r in sweep_json["runs"]].count("failed"), 1)
        # resume: only the failed run runs again
        with open(self.results / "runs" / "nb" / "summary.csv") as f:
            n = {(r["schedule"], r["metric"]): r["n"] for r in csv.DictReader(f)}
        self.assertEqual(n[("cosine", "wall time (s)")], "1")  # the run that stopped is not summarised
        rc, calls, out = self.sweep()
        self.assertEqual((rc, calls), (0, ["seed=1,schedule=cosine"]))

    def test_bad_arguments_exit_2_before_anything_runs(self):
        for argv in (["schedule="], ["schedule=linear", "--seeds", "0"], ["schedule=linear", "--jobs", "0"]):
            err = io.StringIO()
            with redirect_stderr(err):
                rc = sweep.main(["--results", str(self.results), "--logs", str(self.results / "logs"), str(self.nb_path), *argv])
            self.assertEqual(rc, 2, argv)
            self.assertTrue(err.getvalue().startswith("error: "), err.getvalue())
        self.assertFalse((self.results / "runs").exists())


if __name__ == "__main__":
    unittest.main()
