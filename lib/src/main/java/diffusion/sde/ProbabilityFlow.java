package diffusion.sde;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.Scalar;
import diffusion.ode.DormandPrince;
import diffusion.ode.OdeSolver;
import diffusion.ode.Solution;
import diffusion.ode.VectorField;
import diffusion.sample.Sampler;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * The probability-flow ODE as a sampler, solved by any OdeSolver on the grid, in one of two time variables.
 * <ul>
 *   <li>In t (Song et al. 2021): dx/dt = f(t) x - g(t)^2 s(x, t) / 2; needs an SDE kernel (f and g).</li>
 *   <li>In sigma = s/m (Karras et al. 2022, k-diffusion): with y = x / m(t), dy/dsigma = eps(m y, t(sigma)), on any
 *   kernel, discrete ones included when the solver evaluates only at grid times (Euler, Heun). Euler in sigma is DDIM
 *   with eta = 0 on the same grid; for a VE kernel its first-order error is far smaller than Euler's in t.</li>
 * </ul>
 * Decoding solves from t_0 down to t_N; encoding runs the same flow upwards (data to latents). A flow that reaches
 * s = 0 (a discrete grid ending at the data) takes an Euler step into it.
 */
public final class ProbabilityFlow implements Sampler {

    /** The ODE's time variable. */
    public enum Time {
        /** The SDE's own time t. */
        T,
        /** The noise level sigma = s(t) / m(t), with the state scaled to y = x / m(t). */
        SIGMA
    }

    private final OdeSolver solver;
    private final Time time;

    public ProbabilityFlow(OdeSolver solver, Time time) {
        this.solver = Arguments.nonNull("solver", solver);
        this.time = Arguments.nonNull("time", time);
    }

    @Override
    public String name() {
        return "probability flow, " + solver.name() + (time == Time.SIGMA ? " in sigma" : " in t");
    }

    public OdeSolver solver() {
        return solver;
    }

    public Time time() {
        return time;
    }

    @Override
    public Result run(NDManager manager, ScoreModel model, TimeGrid grid, Noise noise, Monitor monitor, NDArray start) {
        Solution solution = decode(manager, model, grid, start, monitor);
        return new Result(solution.state(), solution.nfe());
    }

    /** x(t_N) from the latents x(t_0) = latent (left untouched), with the solver's count of NFE, accepted and rejected steps. */
    public Solution decode(NDManager manager, ScoreModel model, TimeGrid grid, NDArray latent, Monitor monitor) {
        Sampler.requireStart(name(), model, grid, latent);
        return solve(manager, model, latent, grid.times(), monitor);
    }

    /** The latents x(t_0) of data x(t_N) = data, the flow run upwards; refuses a grid ending where s = 0. */
    public Solution encode(NDManager manager, ScoreModel model, TimeGrid grid, NDArray data, Monitor monitor) {
        Sampler.requireGrid(name(), model, grid);
        Arguments.requireSamples("data", data, model.sampleShape());
        if (!(model.kernel().std(grid.end()) > 0)) {
            throw new IllegalArgumentException(name() + ": encoding from t = " + grid.end() + " where s(t) = 0 needs the score at the"
                    + " data; end the grid at a small positive time, or use GeneralisedReverse.invert (DDIM inversion)");
        }
        return solve(manager, model, data, grid.increasing(), monitor);
    }

    /** The solve along times (a grid's points in either order), in the chosen time variable. */
    private Solution solve(NDManager manager, ScoreModel model, NDArray start, double[] times, Monitor monitor) {
        PerturbationKernel kernel = model.kernel();
        if (time == Time.T) {
            if (!(kernel instanceof Sde sde)) {
                throw new IllegalArgumentException(name() + " needs an SDE kernel (f and g), but the model predicts for " + kernel
                        + "; use Time.SIGMA");
            }
            if (solver instanceof DormandPrince && !(sde.std(times[times.length - 1]) > 0)) {
                throw new IllegalArgumentException(name() + ": the adaptive solver evaluates the score at t = " + times[times.length - 1]
                        + ", where s(t) = 0 and the score is undefined; end the grid at a small positive time");
            }
            return solver.solve(manager, field(model, sde), start, times, reporting(monitor, name(), null, null, null));
        }
        if (kernel.discrete() && solver instanceof DormandPrince) {
            throw new IllegalArgumentException(name() + ": an adaptive solver evaluates between grid times, which a discrete kernel ("
                    + kernel + ") does not have; use Euler or Heun");
        }
        double[] sigmas = new double[times.length];
        for (int i = 0; i < times.length; i++) {
            sigmas[i] = kernel.sigma(times[i]);
        }
        VectorField field = sigmaField(model, times, sigmas);
        try (NDManager scratch = manager.newSubManager()) {
            NDArray own = start.duplicate(); // in scratch, so that nothing of the scaling is left in the caller's manager
            own.attach(scratch);
            NDArray y = Scalar.over(own, kernel.meanScale(times[0])); // y = x / m(t_0)
            Solution solution = solver.solve(scratch, field, y, sigmas, reporting(monitor, name(), kernel, times, sigmas));
            NDArray x = Scalar.times(solution.state(), kernel.meanScale(times[times.length - 1])); // x = m(t_N) y
            x.attach(manager);
            return new Solution(x, solution.nfe(), solution.steps(), solution.rejected());
        }
    }

    /** v(x, t) = f(t) x - g(t)^2 s(x, t) / 2, defined where s(t) &gt; 0. */
    private static VectorField field(ScoreModel model, Sde sde) {
        ReverseSde reverse = new ReverseSde(sde, model);
        return new VectorField() {
            @Override
            public NDArray velocity(NDArray x, double t) {
                return reverse.probabilityFlow(x, t);
            }

            @Override
            public boolean definedAt(double t) {
                return sde.std(t) > 0;
            }
        };
    }

    /** dy/dsigma = eps(m(t) y, t) with t = t(sigma): exact at the grid's sigmas, by bisection between them. */
    private static VectorField sigmaField(ScoreModel model, double[] times, double[] sigmas) {
        PerturbationKernel kernel = model.kernel();
        return new VectorField() {
            @Override
            public NDArray velocity(NDArray y, double sigma) {
                double t = timeOf(sigma);
                return model.epsilon(Scalar.times(y, kernel.meanScale(t)), t);
            }

            @Override
            public boolean definedAt(double sigma) {
                return sigma > 0;
            }

            private double timeOf(double sigma) {
                return ProbabilityFlow.timeOf(kernel, times, sigmas, sigma);
            }
        };
    }

    /** The time t with sigma(t) = sigma: the grid's own time at its sigmas, by bisection between them. */
    private static double timeOf(PerturbationKernel kernel, double[] times, double[] sigmas, double sigma) {
        for (int i = 0; i < sigmas.length; i++) {
            if (sigmas[i] == sigma) {
                return times[i];
            }
        }
        return TimeGrid.timeOfSigma(kernel, sigma);
    }

    /**
     * monitor, told the sampler's name at start and, where the solver steps in sigma (kernel non-null), the kernel's
     * time t(sigma) and the state x = m(t) y instead of the solver's (sigma, y).
     */
    private static Monitor reporting(Monitor monitor, String label, PerturbationKernel kernel, double[] times, double[] sigmas) {
        return new Monitor() {
            @Override
            public void start(String ignored, long total) {
                monitor.start(label, total);
            }

            @Override
            public void step(long k, double tau, NDArray state, String status) {
                if (kernel == null) {
                    monitor.step(k, tau, state, status);
                    return;
                }
                double t = timeOf(kernel, times, sigmas, tau);
                try (NDArray x = Scalar.times(state, kernel.meanScale(t))) {
                    monitor.step(k, t, x, status);
                }
            }

            @Override
            public void end() {
                monitor.end();
            }
        };
    }
}
