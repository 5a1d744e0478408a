package diffusion.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.Scalar;
import diffusion.process.NonMarkovianPosterior;
import diffusion.process.ReverseVariance;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.score.LearnedVarianceModel;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;

/**
 * The reverse steps matched to Song et al.'s q_lambda on any kernel and any grid, from t to s &lt; t:
 * x0_hat = (x_t - s_t eps) / m_t (optionally clipped, eps then recomputed), and
 * x_s = m_s x0_hat + sqrt(s_s^2 - lambda^2) eps + sigma z, lambda^2 = eta^2 betaTilde(t, s), with a free variance
 * sigma^2(t, s) and no noise on a step into s_s = 0 (the data). Every discrete sampler is a case: DDPM (eta = 1,
 * sigma^2 = beta or betaTilde, as in Ho et al.; learned, as in Nichol and Dhariwal), DDIM (sigma^2 = lambda^2, eta = 0
 * deterministic), Analytic-DPM (sigma^2 = sigma*^2, isotropic, or per coordinate sigma_j^2 for its diagonal
 * version, where sigma z becomes diag(sigma_j) z). On a sub-sequence grid it is improved-diffusion's respaced
 * sampler; on a continuous kernel (VP, sub-VP, VE) it runs through m(t) and s(t) alone.
 */
public final class GeneralisedReverse extends GridSampler {

    private final double eta;
    private final ReverseVariance variance; // null: learned or per dimension
    private final PerDimensionVariance perDimension; // null: one variance for every coordinate
    private final X0Transform x0Transform;
    private final String name;

    /** A per-coordinate variance sigma_j^2(t, s) &gt;= 0, j over the entries of one sample (its d = prod(sampleShape) entries, row-major). */
    @FunctionalInterface
    public interface PerDimensionVariance {

        /** sigma_j^2(t, s) for every entry j of a sample. */
        double[] sigmaSquared(double t, double s);
    }

    private GeneralisedReverse(double eta, ReverseVariance variance, X0Transform x0Transform, String name) {
        this(eta, variance, null, x0Transform, name);
    }

    private GeneralisedReverse(double eta, ReverseVariance variance, PerDimensionVariance perDimension, X0Transform x0Transform, String name) {
        this.eta = NonMarkovianPosterior.requireEta(eta);
        this.variance = variance;
        this.perDimension = perDimension;
        this.x0Transform = x0Transform;
        this.name = name;
    }

    /** DDPM (Ho et al., Algorithm 2): eta = 1 with sigma^2 = ReverseVariance.BETA or BETA_TILDE. */
    public static GeneralisedReverse ddpm(ReverseVariance variance) {
        Arguments.nonNull("variance", variance);
        String label = variance == ReverseVariance.BETA ? "beta" : variance == ReverseVariance.BETA_TILDE ? "betaTilde" : "given";
        return new GeneralisedReverse(1, variance, X0Transform.NONE, "DDPM (sigma^2 = " + label + ")");
    }

    /** DDPM with Nichol and Dhariwal's learned variance: log sigma^2 = v log b^2 + (1 - v) log betaTilde (LearnedVarianceModel). */
    public static GeneralisedReverse learned() {
        return new GeneralisedReverse(1, null, X0Transform.NONE, "DDPM (learned sigma^2)");
    }

    /** DDIM with eta in [0, 1]: sigma^2 = lambda^2 = eta^2 betaTilde. */
    public static GeneralisedReverse ddim(double eta) {
        return new GeneralisedReverse(eta, ReverseVariance.matched(eta), X0Transform.NONE, "DDIM (eta = " + eta + ")");
    }

    /** The mean of q_lambda with eta in [0, 1] and a given variance rule (Analytic-DPM), named for tables. */
    public static GeneralisedReverse of(double eta, ReverseVariance variance, String name) {
        Arguments.allNonNull("variance, name", variance, name);
        return new GeneralisedReverse(eta, variance, X0Transform.NONE, name);
    }

    /** The mean of q_lambda with eta in [0, 1] and a per-coordinate variance sigma_j^2(t, s) (Analytic-DPM's diagonal case), named for tables. */
    public static GeneralisedReverse perDimension(double eta, PerDimensionVariance variance, String name) {
        Arguments.allNonNull("variance, name", variance, name);
        return new GeneralisedReverse(eta, null, variance, X0Transform.NONE, name);
    }

    /** The same sampler with x0_hat transformed (clipped or thresholded) before each step. */
    public GeneralisedReverse withX0(X0Transform transform) {
        return new GeneralisedReverse(eta, variance, perDimension, transform, name + (transform == X0Transform.NONE ? "" : ", x0 transformed"));
    }

    public double eta() {
        return eta;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    protected int evaluationsPerStep() {
        return 1;
    }

    @Override
    protected void check(ScoreModel model, TimeGrid grid) {
        if (variance == null && perDimension == null && !(model instanceof LearnedVarianceModel)) {
            throw new IllegalArgumentException(name + " needs a LearnedVarianceModel (eps and v outputs), not " + model.getClass().getSimpleName());
        }
        for (int k = 1; k < grid.steps(); k++) { // every step but the last must leave noise: m(s) > 0 and s(s) > 0
            double s = grid.time(k);
            if (!(model.kernel().meanScale(s) > 0)) {
                throw new IllegalArgumentException(name + ": m(t) = 0 at grid time " + s + "; x0_hat is undefined there");
            }
        }
    }

    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise) {
        PerturbationKernel kernel = model.kernel();
        NDArray eps = model.epsilon(x, t);
        NDArray sigma = variance == null && perDimension == null ? learnedSigma((LearnedVarianceModel) model, x, t, s) : givenSigma(kernel, x, t, s);
        NDArray z = kernel.std(s) > 0 && sigma.max().getFloat() > 0 ? noise.normal(x.getManager(), x.getShape()) : null;
        return update(kernel, x, t, s, eps, z, sigma);
    }

    /**
     * One step from x_t at t to s with the model's noise prediction eps and a standard normal z (ignored, and may be
     * null, when s(s) = 0 or sigma^2 = 0), for users who write their own loops: x_s as in the class comment.
     */
    public NDArray step(PerturbationKernel kernel, NDArray xt, double t, double s, NDArray eps, NDArray z) {
        if (variance == null && perDimension == null) {
            throw new IllegalArgumentException(name + ": a learned variance needs the model's v as well as eps; run it on a LearnedVarianceModel");
        }
        return update(kernel, xt, t, s, eps, z, givenSigma(kernel, xt, t, s));
    }

    /** sigma on the step from t to s: sqrt(sigma^2(t, s)) as a scalar, or sqrt(sigma_j^2(t, s)) shaped as one sample of x (n, ...). */
    private NDArray givenSigma(PerturbationKernel kernel, NDArray x, double t, double s) {
        if (perDimension == null) {
            return x.getManager().create((float) Math.sqrt(variance.sigmaSquared(kernel, t, s)));
        }
        double[] sigmaSquared = perDimension.sigmaSquared(t, s);
        ai.djl.ndarray.types.Shape sample = x.getShape().slice(1);
        if (sigmaSquared.length != sample.size()) {
            throw new IllegalArgumentException(name + ": " + sigmaSquared.length + " variances for samples of shape " + sample + " (" + sample.size() + " entries)");
        }
        float[] sigma = new float[sigmaSquared.length];
        for (int j = 0; j < sigma.length; j++) {
            if (!(sigmaSquared[j] >= 0) || Double.isInfinite(sigmaSquared[j])) {
                throw new IllegalArgumentException(name + ": sigma_" + j + "^2 = " + sigmaSquared[j] + " at t = " + t + " must be finite and >= 0");
            }
            sigma[j] = (float) Math.sqrt(sigmaSquared[j]); // sigma_j = sqrt(sigma_j^2(t, s))
        }
        return x.getManager().create(sigma, sample);
    }

    private NDArray update(PerturbationKernel kernel, NDArray xt, double t, double s, NDArray eps, NDArray z, NDArray sigma) {
        NDArray x0 = Parameterisation.EPSILON.convert(eps, Parameterisation.X0, xt, kernel, t); // (x_t - s_t eps) / m_t
        if (x0Transform != X0Transform.NONE) {
            x0 = x0Transform.apply(x0);
            eps = Parameterisation.X0.convert(x0, Parameterisation.EPSILON, xt, kernel, t); // eps = (x_t - m_t x0) / s_t
        }
        NDArray mean = new NonMarkovianPosterior(kernel, eta).meanOf(x0, eps, t, s);
        return kernel.std(s) > 0 && z != null ? mean.add(z.mul(sigma)) : mean;
    }

    /** sigma = exp((v log b^2 + (1 - v) log betaTilde) / 2) on the step from t to s (b^2 in place of betaTilde where it is 0: no noise is added there). */
    private static NDArray learnedSigma(LearnedVarianceModel model, NDArray x, double t, double s) {
        PerturbationKernel kernel = model.kernel();
        double logBeta = Math.log(NonMarkovianPosterior.forwardVariance(kernel, t, s));
        double betaTilde = NonMarkovianPosterior.posteriorVariance(kernel, t, s);
        double logBetaTilde = Math.log(betaTilde > 0 ? betaTilde : NonMarkovianPosterior.forwardVariance(kernel, t, s));
        NDArray v = model.interpolation(x, (int) t);
        return v.mul(logBeta - logBetaTilde).add(logBetaTilde).mul(0.5).exp(); // exp((v log b^2 + (1 - v) log betaTilde) / 2)
    }

    /**
     * Deterministic inversion x(t_N) -> x(t_0), the eta = 0 update run forwards: on each step from s = t_{k+1} up to
     * t = t_k, with eps = eps(x_s, s) (at s(s) = 0, the data, eps at the grid's next time), x_t = m_t (x_s - s_s eps) /
     * m_s + s_t eps. The result lives in manager; x0 is left untouched.
     */
    public static NDArray invert(NDManager manager, ScoreModel model, TimeGrid grid, NDArray x0, Monitor monitor) {
        Sampler.requireStart("DDIM inversion", model, grid, x0);
        PerturbationKernel kernel = model.kernel();
        NDArray x = x0.duplicate();
        x.attach(manager);
        monitor.start("DDIM inversion", grid.steps());
        try {
            for (int k = grid.steps(); k >= 1; k--) {
                double s = grid.time(k);
                double t = grid.time(k - 1);
                try (NDManager scope = manager.newSubManager()) {
                    x.attach(scope);
                    NDArray eps = model.epsilon(x, kernel.std(s) > 0 ? s : t);
                    NDArray xHat = kernel.std(s) > 0 ? Parameterisation.EPSILON.convert(eps, Parameterisation.X0, x, kernel, s) : x;
                    NDArray next = Scalar.times(xHat, kernel.meanScale(t)).add(Scalar.times(eps, kernel.std(t))); // m_t x0_hat + s_t eps
                    Arguments.finiteState("DDIM inversion", grid.steps() - k + 1, t, next);
                    next.attach(manager);
                    x = next;
                }
                monitor.step(grid.steps() - k + 1, t, x, "");
            }
        } finally {
            monitor.end();
        }
        return x;
    }
}
