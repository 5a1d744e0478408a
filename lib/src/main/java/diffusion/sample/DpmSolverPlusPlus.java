package diffusion.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.Scalar;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * Lu et al.'s DPM-Solver++(2M) (2022b, Algorithm 2; k-diffusion's sample_dpmpp_2m), the multistep second-order solver
 * in the data-prediction form, on any kernel, discrete ones included (it evaluates only at grid times). In
 * lambda = log(m / s) (half the kernel's log-SNR), on the step k from t = t_k to s = t_{k+1} with
 * h_k = lambda(s) - lambda(t) and the model's x0_k = D(x_t, t):
 * x_s = (s_s / s_t) x_t - m_s (e^(-h_k) - 1) D_k, with D_k = x0_k on the first step and on a step into s = 0
 * (lambda = infinity, where x_s = m_s x0_k: first order, as k-diffusion does), otherwise
 * D_k = (1 + 1 / (2 r_k)) x0_k - x0_{k-1} / (2 r_k), r_k = h_{k-1} / h_k. One evaluation per step (NFE = N); the
 * previous prediction is carried between steps, so the loop is this class's own, with GridSampler's conventions
 * (a sub-manager per step, the state checked for NaN, the monitor told after each step). A grid of one step would
 * never use the second order and is refused.
 */
public final class DpmSolverPlusPlus implements Sampler {

    @Override
    public String name() {
        return "DPM-Solver++(2M)";
    }

    @Override
    public Result run(NDManager manager, ScoreModel model, TimeGrid grid, Noise noise, Monitor monitor, NDArray start) {
        Sampler.requireStart(name(), model, grid, start);
        if (grid.steps() < 2) {
            throw new IllegalArgumentException(name() + ": the grid has N = " + grid.steps() + " step; the two-step method needs N >= 2"
                    + " (its first step is first order)");
        }
        PerturbationKernel kernel = model.kernel();
        NDArray x = start.duplicate();
        x.attach(manager);
        NDArray previous = null; // x0_{k-1}
        double previousH = Double.NaN;
        monitor.start(name(), grid.steps());
        try {
            for (int k = 0; k < grid.steps(); k++) {
                double t = grid.time(k);
                double s = grid.time(k + 1);
                double h = DpmSolver.lambda(kernel, s) - DpmSolver.lambda(kernel, t); // infinite into s = 0
                try (NDManager scope = manager.newSubManager()) {
                    x.attach(scope);
                    if (previous != null) {
                        previous.attach(scope); // closed with this step
                    }
                    NDArray x0 = model.denoise(x, t);
                    NDArray d = x0;
                    if (previous != null && kernel.std(s) > 0) {
                        double r = previousH / h;
                        d = Scalar.times(x0, 1 + 1 / (2 * r)).sub(Scalar.times(previous, 1 / (2 * r))); // (1 + 1/(2r)) x0_k - x0_{k-1} / (2r)
                    }
                    NDArray next = Scalar.times(x, kernel.std(s) / kernel.std(t))
                            .sub(Scalar.times(d, kernel.meanScale(s) * Math.expm1(-h))); // (s_s / s_t) x - m_s (e^-h - 1) D
                    Arguments.finiteState(name(), k + 1, s, next);
                    next.attach(manager);
                    x0.attach(manager);
                    x = next;
                    previous = x0;
                    previousH = h;
                }
                monitor.step(k + 1, s, x, "");
            }
        } finally {
            monitor.end();
        }
        previous.close();
        return new Result(x, grid.steps());
    }
}
