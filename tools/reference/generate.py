#!/usr/bin/env python3
"""Writes the reference fixtures under lib/src/test/resources/reference/ by running the published codes themselves.

  /usr/bin/python3 tools/reference/generate.py IMPROVED_DIFFUSION_DIR SCORE_SDE_DIR \
      [--improved-commit HASH] [--score-sde-commit HASH] [--out DIR]

IMPROVED_DIFFUSION_DIR holds the package improved_diffusion/ of openai/improved-diffusion; SCORE_SDE_DIR holds
sde_lib.py, sampling.py and models/ of yang-song/score_sde_pytorch (a clone, or the files exported with git show).
Their modules are imported from there, unchanged; nothing of them is copied into this repository. The commits are
recorded in the fixtures (taken from git rev-parse HEAD when not given). See tools/reference/README.md.

The network is a fixed analytic stand-in, written identically in the Java tests:
  improved-diffusion: eps(x, t) = 0.5 tanh(x) + 0.1 t / 1000 elementwise, t the ORIGINAL 0-based timestep the model
                      receives (after SpacedDiffusion's timestep_map); the library's t is 1-indexed: t_ours = t + 1.
  score_sde:          score(x, t) = -(0.5 tanh(x) + 0.1 t) elementwise, t the continuous time in [0, 1].
Every random draw the reference makes (torch.randn_like) is replaced by a recorded draw; draws and starts are
float32-exact (drawn in float32, held in float64), so the Java side sees the very same numbers.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys

import numpy as np
import torch

SEED = 20240601
BATCH = (4, 2)  # 4 samples of dimension 2


def commit_of(path, given):
    if given:
        return given
    try:
        return subprocess.check_output(["git", "-C", path, "rev-parse", "HEAD"], text=True, stderr=subprocess.DEVNULL).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (pass --improved-commit / --score-sde-commit)"


def f32(values):
    """Nested lists of the shortest decimal of each float32 value (parsed back exactly by Java's (float) cast)."""
    array = np.asarray(values, dtype=np.float32)
    return np.vectorize(lambda v: float(repr(np.float32(v))), otypes=[float])(array).tolist()


def f64(tensor):
    """A state, to 12 significant digits (far below the tests' float32 tolerances)."""
    values = torch.as_tensor(tensor).detach().double().reshape(BATCH).tolist()
    return [[float("%.12g" % v) for v in row] for row in values]


class Draws:
    """A replacement for torch.randn_like handing out recorded draws in order, counting them."""

    def __init__(self, draws):
        self.draws = draws
        self.count = 0

    def __call__(self, x, *args, **kwargs):
        d = self.draws[self.count]
        self.count += 1
        return d.reshape(x.shape).to(dtype=x.dtype).clone()


@contextlib.contextmanager
def replayed(draws):
    original = torch.randn_like
    replay = Draws(draws)
    torch.randn_like = replay
    try:
        yield replay
    finally:
        torch.randn_like = original


def float32_normals(generator, count, shape):
    return [torch.randn(*shape, generator=generator, dtype=torch.float32).double() for _ in range(count)]


# ---------------------------------------------------------------------------------------------- improved-diffusion

def improved_diffusion(path, commit, command):
    sys.path.insert(0, path)
    from improved_diffusion import gaussian_diffusion as gd
    from improved_diffusion.respace import SpacedDiffusion, space_timesteps

    T = 1000
    generator = torch.Generator().manual_seed(SEED)
    start = torch.randn(*BATCH, generator=generator, dtype=torch.float32).double()
    noises = float32_normals(generator, T, BATCH)

    def model(x, t):  # t: the original 0-based timesteps, one per sample
        return 0.5 * torch.tanh(x) + 0.1 * t.double()[:, None] / 1000.0

    betas = gd.get_named_beta_schedule("linear", T)

    def diffusion(var_type, use_timesteps=None):
        kwargs = dict(betas=betas, model_mean_type=gd.ModelMeanType.EPSILON, model_var_type=var_type,
                      loss_type=gd.LossType.MSE, rescale_timesteps=False)
        return SpacedDiffusion(use_timesteps, **kwargs) if use_timesteps is not None else gd.GaussianDiffusion(**kwargs)

    def record(name, loop, steps, var_type, eta=None, clip=False):
        with replayed(noises) as replay:
            states = [out["sample"] for out in loop]
        n = len(states)
        keep = sorted(set(range(1, min(5, n) + 1)) | set(range(max(1, n - 4), n + 1))
                      | (set(range(100, n + 1, 100)) if n > 60 else set(range(1, n + 1))))
        return {
            "name": name,
            "model_var_type": var_type.name,
            "eta": eta,
            "clip_denoised": clip,
            "timesteps_0based": steps,  # increasing; the loop walks them from last to first
            "reference_draws": replay.count,
            "states": [{"step": k, "x": f64(states[k - 1])} for k in keep],  # x after k steps of the loop
            "final": f64(states[-1]),
        }

    runs = []
    full = list(range(T))
    for var_type in (gd.ModelVarType.FIXED_LARGE, gd.ModelVarType.FIXED_SMALL):
        d = diffusion(var_type)
        runs.append(record("p_sample_loop " + var_type.name, d.p_sample_loop_progressive(
            model, BATCH, noise=start.clone(), clip_denoised=False, device="cpu"), full, var_type))
    spaced = sorted(space_timesteps(T, [50]))
    for var_type in (gd.ModelVarType.FIXED_LARGE, gd.ModelVarType.FIXED_SMALL):
        d = diffusion(var_type, spaced)
        runs.append(record("respaced [50] p_sample_loop " + var_type.name, d.p_sample_loop_progressive(
            model, BATCH, noise=start.clone(), clip_denoised=False, device="cpu"), spaced, var_type))
    ddim = sorted(space_timesteps(T, "ddim50"))
    for steps, label in ((ddim, "ddim50"), (spaced, "[50]")):
        for eta in (0.0, 0.5):
            if label == "[50]" and eta == 0.0:
                continue
            d = diffusion(gd.ModelVarType.FIXED_SMALL, steps)  # the variance type does not enter ddim_sample
            runs.append(record("ddim_sample_loop " + label + " eta=" + str(eta), d.ddim_sample_loop_progressive(
                model, BATCH, noise=start.clone(), clip_denoised=False, device="cpu", eta=eta), steps,
                gd.ModelVarType.FIXED_SMALL, eta))

    # clip_denoised=True (the reference's default): x0_hat clamped to [-1, 1] before the posterior mean / DDIM update
    d = diffusion(gd.ModelVarType.FIXED_SMALL, spaced)
    runs.append(record("respaced [50] p_sample_loop FIXED_SMALL clip_denoised", d.p_sample_loop_progressive(
        model, BATCH, noise=start.clone(), clip_denoised=True, device="cpu"), spaced, gd.ModelVarType.FIXED_SMALL, clip=True))
    runs.append(record("ddim_sample_loop [50] eta=0.5 clip_denoised", d.ddim_sample_loop_progressive(
        model, BATCH, noise=start.clone(), clip_denoised=True, device="cpu", eta=0.5), spaced,
        gd.ModelVarType.FIXED_SMALL, 0.5, clip=True))

    spacings = {str(K): sorted(space_timesteps(T, [K])) for K in (1, 2, 3, 7, 10, 25, 50, 100, 250, 333, 999, 1000)}
    return {
        "reference": "https://github.com/openai/improved-diffusion",
        "commit": commit,
        "files": ["improved_diffusion/gaussian_diffusion.py", "improved_diffusion/respace.py"],
        "command": command,
        "torch": torch.__version__,
        "dtype": "float64 states; the reference's _extract_into_tensor casts every schedule coefficient to float32",
        "model": "eps(x, t) = 0.5 tanh(x) + 0.1 t / 1000, t the reference's original 0-based timestep (ours: t - 1)",
        "schedule": "get_named_beta_schedule('linear', 1000), model_mean_type EPSILON, clip_denoised False unless a run says True",
        "batch": list(BATCH),
        "start": f32(start),
        "noises": f32(torch.stack(noises)),  # noises[j]: the j-th torch.randn_like draw of every run
        "space_timesteps": spacings,
        "runs": runs,
    }


# ---------------------------------------------------------------------------------------------------- score_sde

def score_sde(path, commit, command):
    sys.path.insert(0, path)
    torch.set_default_dtype(torch.float64)
    import sde_lib
    import sampling

    N = 1000
    snr, n_steps = 0.16, 1
    generator = torch.Generator().manual_seed(SEED + 1)
    shape4 = BATCH + (1, 1)  # score_sde indexes [:, None, None, None]: images of 2 x 1 x 1

    def score_fn(x, t):
        return -(0.5 * torch.tanh(x) + 0.1 * t[:, None, None, None])

    sdes = {"VP": (sde_lib.VPSDE(0.1, 20, N), {"beta_min": 0.1, "beta_max": 20}),
            "VE": (sde_lib.VESDE(0.01, 50, N), {"sigma_min": 0.01, "sigma_max": 50})}
    sampler_times = torch.linspace(1.0, 1e-3, N)  # get_pc_sampler's timesteps (eps = 1e-3)
    cases = []
    for name, (sde, params) in sdes.items():
        times = [("i/(N-1)", i / (N - 1)) for i in (999, 700, 300, 10)]
        times += [("pc_sampler linspace(1, 1e-3, N)[" + str(k) + "]", float(sampler_times[k])) for k in (1, 500, 998, 999)]
        for label, t in times:
            vec_t = torch.ones(BATCH[0]) * t
            timestep = int((vec_t * (sde.N - 1) / sde.T).long()[0])
            scale = 1.0 if name == "VP" else float(sde.marginal_prob(torch.zeros(1), torch.tensor([t]))[1][0])
            x = (torch.randn(*shape4, generator=generator, dtype=torch.float32).double() * np.float32(scale)).float().double()
            draws = float32_normals(generator, 2, shape4)
            case = {"sde": name, "params": params, "N": N, "time": t, "time_label": label, "timestep": timestep,
                    "x": f32(x.reshape(BATCH)), "noises": f32(torch.stack(draws).reshape((2,) + BATCH))}
            if name == "VP":
                case["discrete_beta"] = float(sde.discrete_betas[timestep])
                case["alpha"] = float(sde.alphas[timestep])
            else:
                case["discrete_sigma"] = float(sde.discrete_sigmas[timestep])
                case["adjacent_sigma"] = float(sde.discrete_sigmas[timestep - 1]) if timestep > 0 else 0.0
            predictor = sampling.ReverseDiffusionPredictor(sde, score_fn, probability_flow=False)
            corrector = sampling.LangevinCorrector(sde, score_fn, snr, n_steps)
            with replayed(draws[:1]) as replay:
                xp, xp_mean = predictor.update_fn(x.clone(), vec_t)
                assert replay.count == 1
            with replayed(draws[:1]) as replay:
                xc, xc_mean = corrector.update_fn(x.clone(), vec_t)
                assert replay.count == 1
            with replayed(draws) as replay:  # one step of pc_sampler's loop: corrector at t, then predictor at t
                xpc, _ = corrector.update_fn(x.clone(), vec_t)
                xpc, _ = predictor.update_fn(xpc, vec_t)
                assert replay.count == 2
            case["predictor"] = {"x": f64(xp), "x_mean": f64(xp_mean), "noise": "noises[0]"}
            case["corrector"] = {"x": f64(xc), "x_mean": f64(xc_mean), "noise": "noises[0]"}
            case["pc_step"] = {"x": f64(xpc), "noises": "noises[0] (corrector), noises[1] (predictor)"}
            cases.append(case)
    return {
        "reference": "https://github.com/yang-song/score_sde_pytorch",
        "commit": commit,
        "files": ["sde_lib.py", "sampling.py"],
        "command": command,
        "torch": torch.__version__,
        "dtype": "float64 (torch.set_default_dtype(torch.float64))",
        "model": "score(x, t) = -(0.5 tanh(x) + 0.1 t), t the continuous time",
        "predictor": "sampling.ReverseDiffusionPredictor(sde, score_fn)",
        "corrector": "sampling.LangevinCorrector(sde, score_fn, snr=0.16, n_steps=1)",
        "snr": snr,
        "n_steps": n_steps,
        "batch": list(BATCH),
        "cases": cases,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("improved_diffusion")
    parser.add_argument("score_sde")
    parser.add_argument("--improved-commit")
    parser.add_argument("--score-sde-commit")
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "..", "lib", "src", "test", "resources", "reference"))
    args = parser.parse_args()
    command = ("/usr/bin/python3 tools/reference/generate.py " + " ".join(sys.argv[1:])
               + "  (sources exported at the recorded commits; see tools/reference/README.md)")
    os.makedirs(args.out, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    outputs = {
        "improved_diffusion.json": improved_diffusion(os.path.abspath(args.improved_diffusion),
                                                      commit_of(args.improved_diffusion, args.improved_commit), command),
        "score_sde.json": score_sde(os.path.abspath(args.score_sde), commit_of(args.score_sde, args.score_sde_commit), command),
    }
    for name, content in outputs.items():
        with open(os.path.join(args.out, name), "w") as f:
            json.dump(content, f, separators=(",", ":"))
            f.write("\n")
        print("wrote", os.path.normpath(os.path.join(args.out, name)))


if __name__ == "__main__":
    main()
