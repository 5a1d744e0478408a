package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Noise;
import diffusion.sample.Constraint;
import diffusion.sample.GridSampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * The lecture's annealed Langevin update (an erratum, kept to be measured): x &lt;- x + alpha_i / 2 s(x, sigma_i),
 * i.e. Song and Ermon's Algorithm 1 without its noise term sqrt(alpha_i) z, which makes it gradient ascent on
 * log p_sigma_i. Step sizes, grid and visits are those of
 * PredictorCorrector.correctorOnly(LangevinCorrector.annealed(epsilon, M)): M steps of size h = alpha_i / 2,
 * alpha_i = epsilon s(t)^2 / s_L^2, at every grid time but the last (on a NoiseLadder, TimeGrid.full(ladder) visits
 * every level). It draws nothing from the noise source.
 */
public final class LectureAnnealedLangevin extends GridSampler {

    private final LangevinCorrector corrector;

    /** The noiseless update with Song and Ermon's step rule: base step epsilon &gt; 0, M = steps &gt;= 1 per level. */
    public LectureAnnealedLangevin(double epsilon, int steps) {
        this.corrector = LangevinCorrector.annealed(epsilon, steps);
    }

    @Override
    public String name() {
        return "lecture's annealed Langevin (no noise), " + corrector;
    }

    @Override
    protected int evaluationsPerStep() {
        return corrector.steps();
    }

    /** The evaluations per sample, grid steps x M, fit an int. */
    @Override
    protected void check(ScoreModel model, TimeGrid grid) {
        corrector.requireEvaluations(grid);
    }

    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise) {
        return step(model, grid, x, t, s, noise, Constraint.NONE);
    }

    /** The M noiseless steps at level t, each followed by constraint at t (the lecture's projection onto the observed). */
    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise, Constraint constraint) {
        for (int j = 0; j < corrector.steps(); j++) {
            NDArray score = model.score(x, t);
            double h = corrector.stepSize(score, null, 1, t, grid); // the annealed rule reads neither score nor z
            x = constraint.apply(x.add(score.mul(h)), t, noise); // x + h s, h = alpha_i / 2: no sqrt(2 h) z
        }
        return x;
    }
}
