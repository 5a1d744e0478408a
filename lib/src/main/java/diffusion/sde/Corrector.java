package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * The corrector of predictor-corrector sampling: at a fixed time t of the grid, M score-based MCMC moves that leave
 * p_t approximately invariant, using only the score s(x, t) = grad log p_t(x) (no density, so no Metropolis step).
 * LangevinCorrector moves by one Langevin step, HmcCorrector by L leapfrog steps from a fresh momentum.
 */
public interface Corrector {

    /** M, the moves per level. */
    int steps();

    /** Model evaluations per level, M x (evaluations per move); fits an int. */
    int evaluations();

    /**
     * One move x -&gt; x' at time t of grid, its noise drawn from noise; alpha = (m(t) / m(s))^2 is the squared mean
     * decay of the level's step to s (the signal-to-noise step rule reads it).
     */
    NDArray move(ScoreModel model, NDArray x, double alpha, double t, TimeGrid grid, Noise noise);

    /** Accepts a grid whose steps x evaluations() model evaluations fit the NFE count, an int. */
    default void requireEvaluations(TimeGrid grid) {
        Arguments.derivedSize("steps", steps(), "model evaluations per sample (" + grid.steps() + " grid steps x "
                + evaluations() + " per level)", (long) grid.steps() * evaluations(), Integer.MAX_VALUE);
    }
}
