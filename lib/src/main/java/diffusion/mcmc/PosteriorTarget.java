package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.sde.OrnsteinUhlenbeck;

/**
 * The posterior of Lemma 2, q_s(x_0 | x) proportional to p*(x_0) exp(-||x - e^{-s} x_0||^2 / (2 (1 - e^{-2 s}))),
 * as a target in x_0, one conditioning point per row: row i of a batch x_0 is scored against row i of x.
 *
 * <p>Each evaluation evaluates the underlying target p* once per row (that is what the inner chains of RDMC cost).
 */
public final class PosteriorTarget implements Target {

    private final Target prior;
    private final NDArray x;
    private final double s;

    /** q_s(. | x_i) for each row x_i of x (shape (N, d)), s &gt; 0 the forward time, prior the target p*. */
    public PosteriorTarget(Target prior, NDArray x, double s) {
        Arguments.allNonNull("prior, x", prior, x);
        Arguments.floatingBatch("x", x, "N", prior.dim());
        this.prior = prior;
        this.x = x;
        this.s = Arguments.positive("s", s);
    }

    @Override
    public int dim() {
        return prior.dim();
    }

    @Override
    public String name() {
        return "posterior of " + prior.name() + " at s = " + s;
    }

    /** log q_s(x_0 | x) + const = log p*(x_0) - ||x - e^{-s} x_0||^2 / (2 (1 - e^{-2 s})). */
    @Override
    public NDArray logDensity(NDArray x0) {
        requireRows(x0);
        NDArray residual = x.sub(x0.mul(OrnsteinUhlenbeck.KERNEL.meanScale(s)));
        return prior.logDensity(x0).sub(residual.square().sum(new int[] {1}).div(-2 * Math.expm1(-2 * s)));
    }

    /** grad_{x_0} log q_s(x_0 | x) = grad log p*(x_0) + e^{-s} (x - e^{-s} x_0) / (1 - e^{-2 s}). */
    @Override
    public NDArray gradLogDensity(NDArray x0) {
        requireRows(x0);
        double m = OrnsteinUhlenbeck.KERNEL.meanScale(s);
        return prior.gradLogDensity(x0).add(x.sub(x0.mul(m)).mul(m / -Math.expm1(-2 * s)));
    }

    private void requireRows(NDArray x0) {
        Arguments.floatingBatch("x0", x0, "N", dim());
        if (x0.getShape().get(0) != x.getShape().get(0)) {
            throw new IllegalArgumentException("x0 has " + x0.getShape().get(0) + " rows but the posterior conditions on "
                    + x.getShape().get(0) + " points x; one row per conditioning point is required");
        }
    }
}
