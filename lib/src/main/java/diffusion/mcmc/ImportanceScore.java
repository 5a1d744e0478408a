package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.sde.OrnsteinUhlenbeck;

/**
 * Lemma 2 by self-normalised importance sampling. As a function of x_0, the Gaussian factor of q_s(x_0 | x) is
 * N(x_0; e^{s} x, (e^{2 s} - 1) I); draw x_0^j from it, j = 1..n, weight w_j proportional to p*(x_0^j), and
 * estimate grad log p_s(x) by sum_j w_j (e^{-s} x_0^j - x) / (1 - e^{-2 s}) / sum_j w_j. Its standard error is the
 * delta-method one, sqrt(sum_j wbar_j^2 (h_j - h)^2) with wbar the normalised weights, h_j the summands and h the estimate.
 *
 * <p>Cost: n density evaluations per particle, no gradients. The proposal's spread e^{s} grows with s, so for
 * large s (early in the reverse process) or large d few proposals land where p* has mass.
 */
public final class ImportanceScore implements ScoreEstimator {

    private final int samples;

    /** n = samples &gt;= 1 proposals per particle. */
    public ImportanceScore(int samples) {
        this.samples = Arguments.size("samples", samples, 1);
    }

    @Override
    public String name() {
        return "importance sampling (n = " + samples + ")";
    }

    @Override
    public Estimate estimate(Target target, NDArray x, double s, Noise noise) {
        Arguments.floatingBatch("x", x, "N", target.dim());
        Arguments.positive("s", s);
        Proposals proposals = Proposals.draw(target, x, s, samples, noise);
        NDArray weights = proposals.logWeights().softmax(1).expandDims(2);
        NDArray terms = OrnsteinUhlenbeck.KERNEL.conditionalScore(x.expandDims(1), proposals.points(), s);
        // sum_j wbar_j (e^{-s} x_0^j - x) / (1 - e^{-2 s})
        NDArray score = terms.mul(weights).sum(new int[] {1});
        // sqrt(sum_j wbar_j^2 (h_j - h)^2)
        NDArray standardError = terms.sub(score.expandDims(1)).mul(weights).square().sum(new int[] {1}).sqrt();
        return new Estimate(score, standardError, 0, 0);
    }

    /**
     * n draws per row of x from the Gaussian factor of q_s and their log importance weights.
     *
     * @param points x_0^j = e^{s} x + sqrt(e^{2 s} - 1) z, shape (P, n, d)
     * @param logWeights log p*(x_0^j) (unnormalised), shape (P, n)
     */
    record Proposals(NDArray points, NDArray logWeights) {

        static Proposals draw(Target target, NDArray x, double s, int n, Noise noise) {
            long particles = x.getShape().get(0);
            int dim = target.dim();
            NDArray z = noise.normal(x.getManager(), new Shape(particles, n, dim)).toType(x.getDataType(), false);
            // x_0 = e^{s} x + sqrt(e^{2 s} - 1) z
            NDArray points = x.expandDims(1).mul(Math.exp(s)).add(z.mul(Math.sqrt(Math.expm1(2 * s))));
            NDArray logWeights = target.logDensity(points.reshape(particles * n, dim)).reshape(particles, n);
            return new Proposals(points, logWeights);
        }
    }
}
