package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.sample.GridSampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;
import java.util.function.DoubleUnaryOperator;

/**
 * Euler-Maruyama sampling of the family of reverse processes with the marginals p_t of the forward SDE (lecture 002,
 * section 六): dx = [f(x, t) - (g(t)^2 + b(t)^2) s(x, t) / 2] dt + b(t) dw_bar for any noise level 0 &lt;= b(t) &lt;= g(t),
 * from T down to 0. One step from t to s, dt = t - s: x_s = x - [f(t) x - (g^2 + b^2) s(x, t) / 2] dt + b(t) sqrt(dt) z.
 * b = g is the reverse SDE (Euler-Maruyama predictor), b = 0 the probability-flow ODE (Euler in t), both bit for bit
 * up to the rounding of the drift's coefficient. b(t) is checked at every grid time before any work.
 */
public final class ReverseFamily extends GridSampler {

    private final String label;
    private final DoubleUnaryOperator noiseLevel;
    private final Sde sde;

    private ReverseFamily(String label, Sde sde, DoubleUnaryOperator noiseLevel) {
        this.label = label;
        this.sde = sde;
        this.noiseLevel = noiseLevel;
    }

    /** The member b(t) = lambda g(t) of sde's family, lambda in [0, 1]: 0 the probability flow, 1 the reverse SDE. */
    public static ReverseFamily fraction(Sde sde, double lambda) {
        Arguments.nonNull("sde", sde);
        Arguments.within("lambda", lambda, 0, 1);
        return new ReverseFamily("reverse family, b = " + lambda + " g", sde, t -> lambda * sde.diffusion(t)); // b = lambda g
    }

    /** The member with noise level b(t) of sde's family, named label in tables; b must lie in [0, g(t)] at every grid time. */
    public static ReverseFamily of(String label, Sde sde, DoubleUnaryOperator b) {
        return new ReverseFamily("reverse family, b = " + Arguments.nonNull("label", label), Arguments.nonNull("sde", sde),
                Arguments.nonNull("b", b));
    }

    /** b(t), refused outside [0, g(t)] (or not finite) with a message naming t. */
    public double noiseLevel(double t) {
        return ReverseSde.requireNoiseLevel(noiseLevel.applyAsDouble(sde.requireTime("t", t)), t, sde.diffusion(t));
    }

    /** The forward SDE whose family this is. */
    public Sde sde() {
        return sde;
    }

    @Override
    public String name() {
        return label;
    }

    @Override
    protected int evaluationsPerStep() {
        return 1;
    }

    /** The model predicts for this family's SDE, and b(t_k) lies in [0, g(t_k)] at every step's start time t_k. */
    @Override
    protected void check(ScoreModel model, TimeGrid grid) {
        if (model.kernel() != sde) {
            throw new IllegalArgumentException(name() + ": the score model predicts noise for " + model.kernel() + ", not for " + sde);
        }
        for (int k = 0; k < grid.steps(); k++) {
            noiseLevel(grid.time(k));
        }
    }

    @Override
    protected NDArray step(ScoreModel model, TimeGrid grid, NDArray x, double t, double s, Noise noise) {
        double dt = t - s;
        double b = noiseLevel(t);
        NDArray drift = new ReverseSde(sde, model).drift(x, t, b);
        NDArray z = noise.normal(x.getManager(), x.getShape());
        return x.sub(drift.mul(dt)).add(z.mul(b * Math.sqrt(dt))); // x - [f x - (g^2 + b^2) s / 2] dt + b sqrt(dt) z
    }
}
