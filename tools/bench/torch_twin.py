#!/usr/bin/python3
"""The PyTorch-eager twin of the workbench's benchmark workloads (./workbench bench --compare).

Modes:
  check         print one JSON line describing torch and its BLAS; exit 0 when they are usable for a
                comparison, 3 when torch is missing, 4 when its BLAS is the reference BLAS (or too slow), with a
                message saying what to install.
  serve         read one JSON command per line on stdin, run it, answer one JSON line on stdout; the Java
                benchmark (diffusion.bench.Compare) drives it so that the two sides alternate in one invocation.
                Commands: {"workload": NAME, "threads": N, ...}; NAME is one of WORKLOADS.

Every workload mirrors the Java side: the 2D eps-MLP (input [x, emb(t)], 3 hidden layers of 128 SiLU units,
32-dimensional sinusoidal embedding), L_simple with Adam (1e-3) and an EMA (0.995) of the weights, the linear
schedule T = 1000; DDPM ancestral sampling with the beta-tilde variance; the UNet.forDigits() / forFashionMnist()
architecture (nn/UNet.java, ResidualBlock, SelfAttention, GroupNorm), whose parameter count is reported so that it can
be compared with the Java side's; DDIM (eta = 0) on a 50-step uniform grid.
"""
import argparse
import ctypes
import gzip
import json
import math
import os
import sys
import time

INSTALL = "sudo apt-get install python3-torch libopenblas0-pthread"
REFERENCE_BLAS = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"
# Reference BLAS multiplies 512x512 float32 matrices at about 1-2 GFLOP/s; OpenBLAS at tens per core.
MIN_GFLOPS_512 = 5.0
WORKLOADS = ("matmul", "mlp_train", "ddpm_sample", "unet_train", "ddim")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Refusal(Exception):
    """torch is unusable for a comparison; code is the exit status, message says what to install."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def import_torch():
    try:
        import torch  # noqa: F401 (imported for its side effect too: the BLAS is loaded)
    except ImportError as e:
        raise Refusal(3, "PyTorch is not installed for %s (%s): install it with: %s" % (sys.executable, e, INSTALL))
    return torch


def loaded_blas():
    """The BLAS libraries mapped into this process (after torch has run a matmul)."""
    paths = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path)
            if "blas" in name or "lapack" in name:
                paths.add(os.path.realpath(path))
    return sorted(paths)


def gflops_matmul(torch, n, repeats=5, best=False):
    """The median (or, best, the fastest) rate of an n x n float32 matmul, 2 n^3 flops, in GFLOP/s."""
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    a @ b
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2.0 * n ** 3 / (min(times) if best else median(times)) / 1e9


def openblas(libraries):
    for path in libraries:
        if "openblas" in path:
            try:
                return ctypes.CDLL(path)
            except OSError:
                return None
    return None


def set_threads(torch, libraries, threads):
    """torch's intra-op threads and OpenBLAS's own pool (torch built against generic BLAS does not set the latter)."""
    torch.set_num_threads(threads)
    lib = openblas(libraries)
    if lib is not None and hasattr(lib, "openblas_set_num_threads"):
        lib.openblas_set_num_threads(threads)


def blas_refusal(version, libraries, gflops_512):
    """The reason a comparison against this torch would be meaningless, or None: the reference BLAS (or none that is
    OpenBLAS) among the loaded libraries, or a 512x512 float32 matmul slower than MIN_GFLOPS_512 on one thread."""
    if any(os.path.realpath(REFERENCE_BLAS) == p or "/blas/" in p for p in libraries) or not any("openblas" in p for p in libraries):
        return ("torch %s uses the reference BLAS (%s), about 7 times slower than OpenBLAS: a ratio against it would be "
                "meaningless. Install OpenBLAS with: %s (update-alternatives --query libblas.so.3-x86_64-linux-gnu should "
                "then show openblas-pthread)" % (version, ", ".join(libraries) or "no BLAS library found", INSTALL))
    if gflops_512 < MIN_GFLOPS_512:
        return ("torch %s multiplies 512x512 float32 matrices at %.1f GFLOP/s on one thread, below the %.0f expected of "
                "OpenBLAS (the reference BLAS runs at 1-2): check the BLAS (%s) and the machine's load"
                % (version, gflops_512, MIN_GFLOPS_512, ", ".join(libraries)))
    return None


def check():
    """torch, its BLAS libraries and a description; raises Refusal when a comparison would be meaningless."""
    torch = import_torch()
    torch.randn(8, 8) @ torch.randn(8, 8)
    libraries = loaded_blas()
    set_threads(torch, libraries, 1)
    rate = gflops_matmul(torch, 512, 9, best=True)  # the fastest of 9: a loaded machine slows some, not all
    refusal = blas_refusal(torch.__version__, libraries, rate)
    if refusal is not None:
        raise Refusal(4, refusal)
    return torch, libraries, {"torch": torch.__version__, "blas": libraries, "gflops_512_1thread": round(rate, 2)}


def median(values):
    s = sorted(values)
    k = len(s) // 2
    return s[k] if len(s) % 2 else (s[k - 1] + s[k]) / 2


# ---------------------------------------------------------------------------------------------------------- networks

def build_networks(torch):
    nn = torch.nn

    def embed(t, size):
        """[sin(t w_i), cos(t w_i)] with w_i = 10000^(-i / half) (nn/SinusoidalEmbedding)."""
        half = size // 2
        w = torch.exp(torch.arange(half, dtype=torch.float32) * (-math.log(10000.0) / half))
        angle = t.float()[:, None] * w[None, :]
        return torch.cat([angle.sin(), angle.cos()], 1)

    class EpsMlp(nn.Module):
        def __init__(self, dim=2, width=128, depth=3, embedding=32):
            super().__init__()
            self.embedding = embedding
            layers, inputs = [], dim + embedding
            for _ in range(depth):
                layers += [nn.Linear(inputs, width), nn.SiLU()]
                inputs = width
            layers.append(nn.Linear(width, dim))
            self.mlp = nn.Sequential(*layers)

        def forward(self, x, t):
            return self.mlp(torch.cat([x, embed(t, self.embedding)], 1))

    class ResidualBlock(nn.Module):
        def __init__(self, cin, cout, groups, e):
            super().__init__()
            self.norm1 = nn.GroupNorm(groups, cin)
            self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
            self.embedding = nn.Linear(e, cout)
            self.norm2 = nn.GroupNorm(groups, cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
            self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

        def forward(self, x, e):
            h = self.conv1(nn.functional.silu(self.norm1(x)))
            h = h + self.embedding(nn.functional.silu(e))[:, :, None, None]
            h = self.conv2(nn.functional.silu(self.norm2(h)))
            return (x if self.skip is None else self.skip(x)) + h

    class SelfAttention(nn.Module):
        def __init__(self, c, groups):
            super().__init__()
            self.c = c
            self.norm = nn.GroupNorm(groups, c)
            self.qkv = nn.Conv2d(c, 3 * c, 1)
            self.projection = nn.Conv2d(c, c, 1)

        def forward(self, x):
            n, c, hh, ww = x.shape
            q, k, v = self.qkv(self.norm(x)).reshape(n, 3 * c, hh * ww).split(c, 1)
            weights = torch.softmax(q.transpose(1, 2).bmm(k) / math.sqrt(c), 2)
            return x + self.projection(v.bmm(weights.transpose(1, 2)).reshape(x.shape))

    class UNet(nn.Module):
        """nn/UNet.java with one residual block per level and attention in the middle only (forDigits, forFashionMnist)."""

        def __init__(self, multipliers, base=16, groups=4, channels=1):
            super().__init__()
            e = 4 * base
            self.frequencies = 2 * ((base + 1) // 2)
            self.time1 = nn.Linear(self.frequencies, e)
            self.time2 = nn.Linear(e, e)
            self.input = nn.Conv2d(channels, base, 3, padding=1)
            skips, c = [base], base
            self.encoder, self.halving = nn.ModuleList(), nn.ModuleList()
            for level, m in enumerate(multipliers):
                self.encoder.append(ResidualBlock(c, base * m, groups, e))
                c = base * m
                skips.append(c)
                if level < len(multipliers) - 1:
                    self.halving.append(nn.Conv2d(c, c, 3, stride=2, padding=1))
                    skips.append(c)
            self.middle1 = ResidualBlock(c, c, groups, e)
            self.middle_attention = SelfAttention(c, groups)
            self.middle2 = ResidualBlock(c, c, groups, e)
            self.decoder, self.doubling = nn.ModuleList(), nn.ModuleList()
            for level in reversed(range(len(multipliers))):
                for _ in range(2):
                    self.decoder.append(ResidualBlock(c + skips.pop(), base * multipliers[level], groups, e))
                    c = base * multipliers[level]
                if level > 0:
                    self.doubling.append(nn.Conv2d(c, c, 3, padding=1))
            self.levels = len(multipliers)
            self.output_norm = nn.GroupNorm(groups, c)
            self.output = nn.Conv2d(c, channels, 3, padding=1)

        def forward(self, x, t):
            e = self.time2(nn.functional.silu(self.time1(embed(t, self.frequencies))))
            h = self.input(x)
            skips = [h]
            for level in range(self.levels):
                h = self.encoder[level](h, e)
                skips.append(h)
                if level < self.levels - 1:
                    h = self.halving[level](h)
                    skips.append(h)
            h = self.middle2(self.middle_attention(self.middle1(h, e)), e)
            block = 0
            for level in reversed(range(self.levels)):
                for _ in range(2):
                    h = self.decoder[block](torch.cat([h, skips.pop()], 1), e)
                    block += 1
                if level > 0:
                    h = self.doubling[self.levels - 1 - level](h.repeat_interleave(2, 2).repeat_interleave(2, 3))
            return self.output(nn.functional.silu(self.output_norm(h)))

    return EpsMlp, UNet


# --------------------------------------------------------------------------------------------------------- workloads

def linear_schedule(torch, T=1000):
    beta = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    alpha_bar = torch.cumprod(1 - beta, 0)
    return beta, alpha_bar


def images(torch, dataset):
    """The digits from datasets/digits.csv.gz or Fashion-MNIST's t10k images, scaled to [-1, 1], (n, 1, H, W)."""
    if dataset == "digits":
        with gzip.open(os.path.join(ROOT, "datasets", "digits.csv.gz"), "rt") as f:
            rows = [[float(v) for v in line.split(",")[:64]] for line in f if line.strip()]
        return torch.tensor(rows).reshape(-1, 1, 8, 8) * (2.0 / 16) - 1
    directory = os.environ.get("WORKBENCH_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
    path = os.path.join(directory, "t10k-images-idx3-ubyte.gz")
    with gzip.open(path, "rb") as f:
        raw = f.read()[16:]
    return torch.frombuffer(bytearray(raw), dtype=torch.uint8).float().reshape(-1, 1, 28, 28) * (2.0 / 255) - 1


class Trainer:
    """L_simple with Adam (1e-3) and an EMA (0.995) of the weights, as train/Trainer does (loss read every step)."""

    def __init__(self, torch, network, data, batch, T=1000, decay=0.995):
        self.torch, self.network, self.data, self.batch, self.T, self.decay = torch, network, data, batch, T, decay
        self.ema = [p.detach().clone() for p in network.parameters()]
        self.adam = torch.optim.Adam(network.parameters(), lr=1e-3)
        _, alpha_bar = linear_schedule(torch, T)
        self.alpha_bar = alpha_bar.float()

    def step(self):
        torch = self.torch
        rows = torch.randint(0, self.data.shape[0], (self.batch,))
        x0 = self.data[rows]
        t = torch.randint(1, self.T + 1, (self.batch,))
        eps = torch.randn_like(x0)
        ab = self.alpha_bar[t - 1].reshape(-1, *([1] * (x0.dim() - 1)))
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
        loss = (eps - self.network(xt, t)).square().flatten(1).sum(1).mean()
        self.adam.zero_grad()
        loss.backward()
        self.adam.step()
        with torch.no_grad():
            for average, p in zip(self.ema, self.network.parameters()):
                average.mul_(self.decay).add_(p, alpha=1 - self.decay)
        return loss.item()


def ddpm_sample(torch, network, points, steps, T=1000):
    """DDPM ancestral sampling with the beta-tilde variance over `steps` uniformly respaced steps of T."""
    _, alpha_bar = linear_schedule(torch, T)
    grid = [round(T - k * T / steps) for k in range(steps + 1)]
    x = torch.randn(points, 2)
    with torch.no_grad():
        for k in range(steps):
            t, s = grid[k], grid[k + 1]
            ab_t = alpha_bar[t - 1].item()
            ab_s = alpha_bar[s - 1].item() if s > 0 else 1.0
            beta = 1 - ab_t / ab_s
            eps = network(x, torch.full((points,), float(t)))
            x = (x - beta / math.sqrt(1 - ab_t) * eps) / math.sqrt(1 - beta)
            if s > 0:
                x = x + math.sqrt(beta * (1 - ab_s) / (1 - ab_t)) * torch.randn_like(x)
    return x


def ddim(torch, network, shape, steps, T=1000):
    """DDIM (eta = 0) over `steps` uniformly respaced steps of T: x_s = m_s x0_hat + s_s eps."""
    _, alpha_bar = linear_schedule(torch, T)
    grid = [round(T - k * T / steps) for k in range(steps + 1)]
    x = torch.randn(*shape)
    with torch.no_grad():
        for k in range(steps):
            t, s = grid[k], grid[k + 1]
            ab_t = alpha_bar[t - 1].item()
            ab_s = alpha_bar[s - 1].item() if s > 0 else 1.0
            eps = network(x, torch.full((shape[0],), float(t)))
            x0 = (x - math.sqrt(1 - ab_t) * eps) / math.sqrt(ab_t)
            x = math.sqrt(ab_s) * x0 + math.sqrt(1 - ab_s) * eps
    return x


class Twin:
    """Runs commands; keeps each workload's network, data and optimiser between rounds (warm, as the Java side)."""

    def __init__(self, torch, libraries):
        self.torch, self.libraries = torch, libraries
        self.EpsMlp, self.UNet = build_networks(torch)
        self.cache = {}

    def unet(self, dataset):
        return self.UNet([1, 2] if dataset == "digits" else [1, 2, 2])

    def run(self, command):
        torch = self.torch
        workload = command.get("workload")
        if workload not in WORKLOADS:
            raise ValueError("unknown workload %r: expected one of %s" % (workload, ", ".join(WORKLOADS)))
        threads = int(command.get("threads", 1))
        if threads < 1:
            raise ValueError("threads = %d: must be >= 1" % threads)
        set_threads(torch, self.libraries, threads)
        torch.manual_seed(int(command.get("seed", 0)))
        if workload == "matmul":
            return {"gflops": gflops_matmul(torch, int(command.get("n", 2048)), 3)}
        if workload in ("mlp_train", "unet_train"):
            dataset = command.get("dataset", "toy")
            key = (workload, dataset, int(command["batch"]))
            if key not in self.cache:
                network = self.EpsMlp() if workload == "mlp_train" else self.unet(dataset)
                data = torch.randn(100000, 2) if workload == "mlp_train" else images(torch, dataset)
                self.cache[key] = Trainer(torch, network, data, int(command["batch"]))
            trainer = self.cache[key]
            steps = int(command["steps"])
            trainer.step()
            start = time.perf_counter()
            for _ in range(steps):
                trainer.step()
            return {"seconds_per_step": (time.perf_counter() - start) / steps, "parameters": parameters(trainer.network)}
        key = (workload, command.get("dataset", "toy"))
        if key not in self.cache:
            self.cache[key] = self.EpsMlp() if workload == "ddpm_sample" else self.unet(command["dataset"])
        network = self.cache[key]
        if workload == "ddpm_sample":
            def run(steps):
                ddpm_sample(torch, network, int(command["points"]), steps)
        else:
            side = 8 if command["dataset"] == "digits" else 28

            def run(steps):
                ddim(torch, network, (int(command["images"]), 1, side, side), steps)
        run(2)  # untimed warm-up, as on the Java side
        start = time.perf_counter()
        run(int(command["steps"]))
        return {"seconds": time.perf_counter() - start, "parameters": parameters(network)}


def parameters(network):
    return sum(p.numel() for p in network.parameters())


def serve(torch, libraries, info, lines, out):
    print(json.dumps(dict(info, ready=True)), file=out, flush=True)
    twin = Twin(torch, libraries)
    for line in lines:
        if not line.strip():
            continue
        try:
            answer = twin.run(json.loads(line))
        except (ValueError, KeyError, OSError) as e:
            answer = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(answer), file=out, flush=True)


def parse(argv):
    parser = argparse.ArgumentParser(prog="torch_twin.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("check", "serve"), help="check torch's BLAS, or serve the benchmark's commands")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        torch, libraries, info = check()
    except Refusal as refusal:
        print(json.dumps({"usable": False, "message": str(refusal)}))
        print("torch_twin: " + str(refusal), file=sys.stderr)
        return refusal.code
    if args.mode == "check":
        print(json.dumps(dict(info, usable=True)))
        return 0
    serve(torch, libraries, info, sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
