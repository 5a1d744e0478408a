package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.score.ScoreModel;

/**
 * The time reversal of a forward SDE (Anderson 1982) with a score model s(x, t) ~ grad log p_t(x):
 * dx = [f(x, t) - g(t)^2 s(x, t)] dt + g(t) dw_bar, run from t = T down to 0, and the probability-flow ODE
 * dx/dt = f(x, t) - g(t)^2 s(x, t) / 2, whose solutions have the same marginals p_t as the SDE. Both are members of
 * the family (lecture 002, section 六) dx = [f(x, t) - (g(t)^2 + b^2) s(x, t) / 2] dt + b dw_bar, 0 &lt;= b &lt;= g(t),
 * whose members all have the marginals p_t: b = g the reverse SDE, b = 0 the probability flow (ReverseFamily samples it).
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

    /** The reverse-time drift f(x, t) - g(t)^2 s(x, t) for a batch x (n, d): the family's member b = g(t). */
    public NDArray drift(NDArray x, double t) {
        return drift(x, t, diffusion(t));
    }

    /**
     * The family's reverse-time drift f(x, t) - (g(t)^2 + b^2) s(x, t) / 2 for a batch x (n, d), with noise level b
     * in [0, g(t)] (refused otherwise, before the score is evaluated).
     */
    public NDArray drift(NDArray x, double t, double b) {
        double g = diffusion(t);
        requireNoiseLevel(b, t, g);
        return sde.drift(x, t).sub(model.score(x, t).mul(0.5 * (g * g + b * b))); // f x - (g^2 + b^2) s / 2
    }

    /** Accepts a noise level b in [0, g], g = g(t), naming t. */
    static double requireNoiseLevel(double b, double t, double g) {
        if (!(b >= 0 && b <= g)) {
            throw new IllegalArgumentException("noise level b(t) = " + b + " at t = " + t + " must lie in [0, g(t) = " + g
                    + "] (b = 0: probability flow, b = g: reverse SDE)");
        }
        return b;
    }

    /** g(t), the same diffusion as the forward SDE. */
    public double diffusion(double t) {
        return sde.diffusion(sde.requireTime("t", t));
    }

    /** The probability-flow velocity dx/dt = f(x, t) - g(t)^2 s(x, t) / 2 for a batch x (n, d): the member b = 0. */
    public NDArray probabilityFlow(NDArray x, double t) {
        return drift(x, t, 0);
    }
}
