package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Noise;
import diffusion.Scalar;
import diffusion.sample.GridSampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * The study notes' discretised reverse SDE (file 002, section 4) next to the right one, for the errata: from t to s,
 * x_s = x_t - [f x_t - g(t)^2 s(x_t, t)] dt + g(t) noise z with dt = t - s, where noise = sqrt(dt) (Euler-Maruyama, a
 * Wiener increment) or noise = dt (the notes' g dt xi, whose injected variance g^2 dt^2 vanishes as N grows). One
 * evaluation per step; needs an Sde kernel.
 */
public final class NotesReverseStep extends GridSampler {

    private final boolean notes;

    private NotesReverseStep(boolean notes) {
        this.notes = notes;
    }

    /** The right step: noise g sqrt(dt) z (Euler-Maruyama). */
    public static NotesReverseStep right() {
        return new NotesReverseStep(false);
    }

    /** The notes' step: noise g dt z. */
    public static NotesReverseStep notes() {
        return new NotesReverseStep(true);
    }

    @Override
    public String name() {
        return notes ? "g dt xi (notes)" : "g sqrt(dt) xi (right)";
    }

    @Override
    protected int evaluationsPerStep() {
        return 1;
    }

    @Override
    protected void check(ScoreModel model, TimeGrid grid) {
        if (!(model.kernel() instanceof Sde)) {
            throw new IllegalArgumentException(name() + " needs an SDE kernel, but the model predicts for " + model.kernel());
        }
    }

    /** x - [f x - g^2 s] dt + g (dt or sqrt(dt)) z. */
    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise) {
        Sde sde = (Sde) model.kernel();
        double dt = t - s;
        double g = sde.diffusion(t);
        NDArray drift = new ReverseSde(sde, model).drift(x, t);
        NDArray z = noise.normal(x.getManager(), x.getShape());
        return x.sub(Scalar.times(drift, dt)).add(Scalar.times(z, g * (notes ? dt : Math.sqrt(dt))));
    }
}
