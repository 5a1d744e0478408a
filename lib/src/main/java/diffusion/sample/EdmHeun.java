package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.Scalar;
import diffusion.ode.Heun;
import diffusion.ode.VectorField;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.score.Denoiser;
import diffusion.score.ScoreModel;

/**
 * Karras et al.'s (2022) Heun sampler, Algorithm 2 of the EDM paper (Algorithm 1 when S_churn = 0), on any kernel: in
 * y = x / m(t) and sigma = sigma(t), with the model as a denoiser D (score/Denoiser.of), each step from sigma_i to
 * sigma_{i+1} first raises the noise to sigma_hat = (1 + gamma_i) sigma_i,
 * gamma_i = min(S_churn / N, sqrt(2) - 1) for S_tmin &lt;= sigma_i &lt;= S_tmax (else 0), by
 * y_hat = y + sqrt(sigma_hat^2 - sigma_i^2) S_noise z, then takes one Heun step of dy/dsigma = (y - D(y; sigma)) / sigma
 * from sigma_hat to sigma_{i+1} (an Euler step where sigma_{i+1} = 0, as in the paper). With S_churn = 0 it draws no
 * noise and is ProbabilityFlow(Heun, SIGMA) on the same grid. Churn evaluates D at sigma_hat, off the grid: on a
 * continuous kernel the time of sigma_hat is found by bisection; a discrete kernel has no such time, so churn on it is
 * refused (as is a sigma_hat above the kernel's largest sigma(tMax)). N is the grid's number of steps, as in EDM and
 * k-diffusion's sample_heun.
 */
public final class EdmHeun extends GridSampler {

    private static final Heun HEUN = new Heun();

    private final double churn;
    private final double sTMin;
    private final double sTMax;
    private final double sNoise;

    private EdmHeun(double churn, double sTMin, double sTMax, double sNoise) {
        this.churn = Arguments.nonNegative("S_churn", churn);
        this.sTMin = Arguments.nonNegative("S_tmin", sTMin);
        if (!(sTMax >= sTMin)) {
            throw new IllegalArgumentException("S_tmax = " + sTMax + " must be >= S_tmin = " + sTMin + " (POSITIVE_INFINITY for no upper limit)");
        }
        this.sTMax = sTMax;
        this.sNoise = Arguments.positive("S_noise", sNoise);
    }

    /** The deterministic sampler (EDM Algorithm 1): S_churn = 0. */
    public static EdmHeun deterministic() {
        return new EdmHeun(0, 0, Double.POSITIVE_INFINITY, 1);
    }

    /**
     * The stochastic sampler (EDM Algorithm 2) with S_churn &gt;= 0, churn on noise levels in [S_tmin, S_tmax]
     * (0 &lt;= S_tmin &lt;= S_tmax, S_tmax may be POSITIVE_INFINITY) and S_noise &gt; 0.
     */
    public static EdmHeun stochastic(double churn, double sTMin, double sTMax, double sNoise) {
        return new EdmHeun(churn, sTMin, sTMax, sNoise);
    }

    @Override
    public String name() {
        return churn == 0 ? "EDM Heun" : String.format("EDM Heun (S_churn = %s, S_noise = %s)", churn, sNoise);
    }

    /** gamma_i = min(S_churn / N, sqrt(2) - 1) if S_tmin &lt;= sigma_i &lt;= S_tmax, else 0. */
    public double gamma(double sigma, int N) {
        return churn > 0 && sigma >= sTMin && sigma <= sTMax ? Math.min(churn / N, Math.sqrt(2) - 1) : 0;
    }

    @Override
    protected int evaluationsPerStep() {
        return 2;
    }

    /** 2, or 1 on a step into s(s) = 0 (an Euler step). */
    @Override
    protected int evaluations(ScoreModel model, double t, double s) {
        return model.kernel().std(s) > 0 ? 2 : 1;
    }

    /** Refuses churn on a discrete kernel and a sigma_hat above sigma(tMax). */
    @Override
    protected void check(ScoreModel model, TimeGrid grid) {
        PerturbationKernel kernel = model.kernel();
        double top = kernel.sigma(kernel.tMax());
        for (int k = 0; k < grid.steps(); k++) {
            double sigma = kernel.sigma(grid.time(k));
            double gamma = gamma(sigma, grid.steps());
            if (gamma > 0 && kernel.discrete()) {
                throw new IllegalArgumentException(name() + ": churn evaluates the model at sigma_hat = (1 + gamma) sigma, between the"
                        + " times of the discrete kernel " + kernel + "; use S_churn = 0 there, or a continuous kernel");
            }
            if ((1 + gamma) * sigma > top * (1 + 1e-12)) {
                throw new IllegalArgumentException(name() + ": at step " + (k + 1) + " churn raises sigma = " + sigma + " to sigma_hat = "
                        + (1 + gamma) * sigma + ", above sigma(tMax) = " + top + " of " + kernel + "; lower S_tmax below " + sigma
                        + " or start the grid lower");
            }
        }
    }

    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise) {
        PerturbationKernel kernel = model.kernel();
        double sigma = kernel.sigma(t);
        double sigmaHat = (1 + gamma(sigma, grid.steps())) * sigma; // sigma_hat = (1 + gamma_i) sigma_i
        NDArray y = Scalar.over(x, kernel.meanScale(t)); // y = x / m(t)
        if (sigmaHat > sigma) {
            NDArray z = noise.normal(x.getManager(), x.getShape());
            y = y.add(Scalar.times(z, Math.sqrt(sigmaHat * sigmaHat - sigma * sigma) * sNoise)); // y_hat = y + sqrt(sigma_hat^2 - sigma^2) S_noise z
        }
        Denoiser denoiser = Denoiser.of(model);
        VectorField field = new VectorField() {
            @Override
            public NDArray velocity(NDArray state, double level) {
                return Scalar.over(state.sub(denoiser.x0(state, level)), level); // dy/dsigma = (y - D(y; sigma)) / sigma
            }

            @Override
            public boolean definedAt(double level) {
                return level > 0;
            }
        };
        NDArray next = HEUN.solve(x.getManager(), field, y, new double[] {sigmaHat, kernel.sigma(s)}, Monitor.quiet()).state();
        return Scalar.times(next, kernel.meanScale(s)); // x = m(s) y
    }
}
