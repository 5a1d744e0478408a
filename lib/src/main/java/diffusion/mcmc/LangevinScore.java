package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.sde.OrnsteinUhlenbeck;

/**
 * Lemma 2 with an inner Langevin chain: n chains per particle run the given ULA or MALA kernel on the posterior
 * q_s(. | x) ({@link PosteriorTarget}), and the estimate is the chains' average of (e^{-s} x_0 - x) / (1 - e^{-2 s})
 * at their final states, with standard error sd over chains / sqrt(n) (which ignores the chains' correlation
 * through their shared initial pool and the bias of finitely many inner steps).
 *
 * <p>Initialisation: each chain starts from one point resampled (multinomially, by weight p*) from n draws of the
 * Gaussian factor N(e^{s} x, (e^{2 s} - 1) I) of q_s, i.e. from the importance-sampling approximation of q_s.
 * Cost per particle and outer step: n densities for the initialisation, then n per inner step for ULA gradients
 * (MALA: n densities and n gradients per inner step, plus n of each at the start).
 */
public final class LangevinScore implements ScoreEstimator {

    private final int chains;
    private final Langevin inner;

    /** n = chains &gt;= 1 inner chains per particle, each running inner (ULA or MALA) on q_s. */
    public LangevinScore(int chains, Langevin inner) {
        Arguments.nonNull("inner", inner);
        this.chains = Arguments.size("chains", chains, 1);
        this.inner = inner;
    }

    @Override
    public String name() {
        return "inner " + inner.name() + " x " + inner.steps() + " steps (n = " + chains + ")";
    }

    @Override
    public Estimate estimate(Target target, NDArray x, double s, Noise noise) {
        Arguments.floatingBatch("x", x, "N", target.dim());
        Arguments.positive("s", s);
        long particles = x.getShape().get(0);
        int dim = target.dim();
        ImportanceScore.Proposals proposals = ImportanceScore.Proposals.draw(target, x, s, chains, noise);
        NDArray start = resample(proposals, noise);
        NDArray conditioning = x.expandDims(1).broadcast(new Shape(particles, chains, dim)).reshape(particles * chains, dim);
        Langevin.Chain chain = inner.advance(new PosteriorTarget(target, conditioning, s), start,
                "inner " + inner.name() + " at s = " + s, Monitor.quiet(), noise);
        NDArray states = chain.state().reshape(particles, chains, dim);
        NDArray terms = OrnsteinUhlenbeck.KERNEL.conditionalScore(x.expandDims(1), states, s);
        // mean over chains of (e^{-s} x_0 - x) / (1 - e^{-2 s})
        NDArray score = terms.mean(new int[] {1});
        // sd / sqrt(n) with the unbiased sample variance (0 for a single chain)
        NDArray standardError = chains < 2 ? score.zerosLike()
                : terms.sub(score.expandDims(1)).square().sum(new int[] {1}).div((double) chains * (chains - 1)).sqrt();
        return new Estimate(score, standardError, chain.proposals(), chain.accepted());
    }

    /** n points per particle drawn with replacement from the proposals with probabilities softmax(log w), shape (P n, d). */
    private NDArray resample(ImportanceScore.Proposals proposals, Noise noise) {
        NDArray points = proposals.points();
        long particles = points.getShape().get(0);
        int dim = (int) points.getShape().get(2);
        double[] cumulative = proposals.logWeights().softmax(1).cumSum(1).toType(DataType.FLOAT64, false).toDoubleArray();
        double[] uniforms = noise.uniform(points.getManager(), new Shape(particles, chains)).toType(DataType.FLOAT64, false).toDoubleArray();
        long[] index = new long[Math.toIntExact(particles * chains)];
        for (int p = 0; p < particles; p++) {
            for (int j = 0; j < chains; j++) {
                int row = p * chains;
                int k = 0;
                // inverse CDF; a row whose weights are all zero (NaN cumulative sums) falls back to its first proposal
                while (k < chains - 1 && cumulative[row + k] <= uniforms[row + j]) {
                    k++;
                }
                index[row + j] = row + k;
            }
        }
        return points.reshape(particles * chains, dim).get(points.getManager().create(index));
    }
}
