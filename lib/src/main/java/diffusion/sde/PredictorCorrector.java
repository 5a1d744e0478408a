package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.sample.Constraint;
import diffusion.sample.GridSampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;
import java.util.Optional;

/**
 * Predictor-corrector sampling of the reverse SDE (Song et al. 2021), in the order of their reference code: on each
 * step of the grid from t to s, M corrector moves at t (a Corrector: Langevin or HMC), then one predictor step from t
 * to s. Predictor only: no corrector; corrector only (Predictor.NONE): annealed Langevin dynamics (or annealed HMC),
 * corrector moves at every grid time but the last (NCSN: the ladder's grid L, ..., 1, 0 visits every level). The predictors need the model's kernel to be an
 * Sde; corrector only runs on any kernel.
 */
public final class PredictorCorrector extends GridSampler {

    private final Predictor predictor;
    private final Optional<Corrector> corrector;

    private PredictorCorrector(Predictor predictor, Optional<Corrector> corrector) {
        if (predictor == Predictor.NONE && corrector.isEmpty()) {
            throw new IllegalArgumentException("predictor = NONE and no corrector: the sampler would not move x");
        }
        this.predictor = predictor;
        this.corrector = corrector;
    }

    /** The predictor alone. */
    public static PredictorCorrector predictorOnly(Predictor predictor) {
        return new PredictorCorrector(Arguments.nonNull("predictor", predictor), Optional.empty());
    }

    /** The corrector at each time followed by the predictor. */
    public static PredictorCorrector of(Predictor predictor, Corrector corrector) {
        return new PredictorCorrector(Arguments.nonNull("predictor", predictor), Optional.of(Arguments.nonNull("corrector", corrector)));
    }

    /** Corrector only: annealed Langevin dynamics. */
    public static PredictorCorrector correctorOnly(Corrector corrector) {
        return new PredictorCorrector(Predictor.NONE, Optional.of(Arguments.nonNull("corrector", corrector)));
    }

    /** "reverse diffusion + Langevin (r = 0.16, M = 1)" and the like. */
    @Override
    public String name() {
        return predictor == Predictor.NONE ? "annealed " + corrector.orElseThrow()
                : predictor.label() + corrector.map(c -> " + " + c).orElse("");
    }

    @Override
    protected int evaluationsPerStep() {
        return (predictor == Predictor.NONE ? 0 : 1) + corrector.map(Corrector::evaluations).orElse(0);
    }

    /** The evaluations per sample fit an int, and every predictor coefficient is computed (and so checked) before any work. */
    @Override
    protected void check(ScoreModel model, TimeGrid grid) {
        corrector.ifPresent(c -> c.requireEvaluations(grid));
        if (predictor == Predictor.NONE) {
            return;
        }
        if (!(model.kernel() instanceof Sde sde)) {
            throw new IllegalArgumentException(name() + " needs an SDE kernel, but the model predicts for " + model.kernel()
                    + "; on a discrete schedule use GeneralisedReverse (DDPM, DDIM) or corrector only");
        }
        for (int k = 0; k < grid.steps(); k++) {
            predictor.step(sde, grid.time(k), grid.time(k) - grid.time(k + 1));
        }
    }

    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise) {
        return step(model, grid, x, t, s, noise, Constraint.NONE);
    }

    /** The corrector moves at t, each followed by constraint at t, then the predictor step to s and constraint at s. */
    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise, Constraint constraint) {
        if (corrector.isPresent()) {
            double alpha = Math.pow(model.kernel().meanScale(t) / model.kernel().meanScale(s), 2);
            for (int j = 0; j < corrector.get().steps(); j++) {
                x = constraint.apply(corrector.get().move(model, x, alpha, t, grid, noise), t, noise);
            }
        }
        if (predictor == Predictor.NONE) {
            return x;
        }
        Predictor.Step step = predictor.step((Sde) model.kernel(), t, t - s);
        NDArray z = noise.normal(x.getManager(), x.getShape());
        return constraint.apply(x.mul(step.cx()).add(model.score(x, t).mul(step.cs())).add(z.mul(step.sigma())), s, noise); // c_x x + c_s s + sigma z
    }
}
