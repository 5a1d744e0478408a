package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import java.util.List;

/**
 * The outcome of a sampler run: the final particles, what they cost, the acceptance rate of any
 * Metropolis-Hastings correction, and snapshots of the particles along the way.
 *
 * @param samples final particles, shape (P, d)
 * @param densityEvaluations evaluations of log p* (one per point), all particles together
 * @param gradientEvaluations evaluations of grad log p* (one per point), all particles together
 * @param acceptanceRate accepted / proposed MALA moves, NaN when the sampler made none
 * @param trajectory the particles after selected steps, step 0 (the initial particles) first
 */
public record Run(NDArray samples, long densityEvaluations, long gradientEvaluations, double acceptanceRate,
        List<Snapshot> trajectory) {

    /** Refuses a null component, naming it. */
    public Run {
        Arguments.allNonNull("samples, trajectory", samples, trajectory);
    }

    /** Number of particles P. */
    public long particles() {
        return samples.getShape().get(0);
    }

    /** (density + gradient evaluations) / P: the cost of one final sample. */
    public double evaluationsPerParticle() {
        return (double) (densityEvaluations + gradientEvaluations) / particles();
    }

    /**
     * Particles after a step.
     *
     * @param step outer step (0 = initial particles)
     * @param evaluationsPerParticle (density + gradient evaluations) / P spent up to this step
     * @param state the particles, shape (P, d)
     */
    public record Snapshot(int step, double evaluationsPerParticle, NDArray state) {

        /** Refuses a null component, naming it. */
        public Snapshot {
            Arguments.nonNull("state", state);
        }
    }
}
