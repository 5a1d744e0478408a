package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.score.ScoreModel;

/**
 * The time reversal of a forward SDE (Anderson 1982) with a score model s(x, t) ~ grad log p_t(x):
 * dx = [f(x, t) - g(t)^2 s(x, t)] dt + g(t) dw_bar, run from t = T down to 0, and the probability-flow ODE
 * dx/dt = f(x, t) - g(t)^2 s(x, t) / 2, whose solutions have the same marginals p_t as the SDE.
 */
public final class ReverseSde {

    private final Sde sde;
    private final ScoreModel model;

    /** model must predict the noise of sde (its kernel is sde itself). */
    public ReverseSde(Sde sde, ScoreModel model) {
        Arguments.allNonNull("sde, model", sde, model);
        if (model.kernel() != sde) {
            throw new IllegalArgumentException("the score model predicts noise for " + model.kernel() + ", not for " + sde);
        }
        this.sde = sde;
        this.model = model;
    }

    /** The forward SDE. */
    public Sde sde() {
        return sde;
    }

    /** The score model. */
    public ScoreModel model() {
        return model;
    }

    /** The reverse-time drift f(x, t) - g(t)^2 s(x, t) for a batch x (n, d). */
    public NDArray drift(NDArray x, double t) {
        double g = sde.diffusion(sde.requireTime("t", t));
        return sde.drift(x, t).sub(model.score(x, t).mul(g * g));
    }

    /** g(t), the same diffusion as the forward SDE. */
    public double diffusion(double t) {
        return sde.diffusion(sde.requireTime("t", t));
    }

    /** The probability-flow velocity dx/dt = f(x, t) - g(t)^2 s(x, t) / 2 for a batch x (n, d). */
    public NDArray probabilityFlow(NDArray x, double t) {
        double g = sde.diffusion(sde.requireTime("t", t));
        return sde.drift(x, t).sub(model.score(x, t).mul(0.5 * g * g));
    }
}
