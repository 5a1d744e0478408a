package diffusion.guidance;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import diffusion.Arguments;
import diffusion.schedule.PerturbationKernel;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;

/**
 * A score model guided by a log-likelihood term: s~(x, t) = s(x, t) + gamma grad_x log p_t(y | x), the score of
 * p_t(x) p_t(y | x)^gamma up to normalisation (Bayes' rule at gamma = 1 gives the conditional score
 * grad log p_t(x | y)). Its output is a score, so every sampler runs on it unchanged; in the eps form the same model
 * reads eps~ = eps - s(t) gamma grad log p_t(y | x) (Dhariwal and Nichol's classifier guidance for DDIM, with
 * s(t) = sqrt(1 - alphaBar_t)). The gradient is taken with DJL's autograd, which allows one open GradientCollector per
 * JVM: do not evaluate it inside another collector (a training step) or from parallel threads.
 */
public final class Guided implements ScoreModel {

    private final ScoreModel base;
    private final LogLikelihood term;
    private final double gamma;

    /** base's score plus gamma times the gradient of term; |gamma| &lt;= MAX_GUIDANCE (0 gives base's score). */
    public Guided(ScoreModel base, LogLikelihood term, double gamma) {
        this.base = Arguments.nonNull("base", base);
        this.term = Arguments.nonNull("term", term);
        this.gamma = Arguments.within("gamma", gamma, -Arguments.MAX_GUIDANCE, Arguments.MAX_GUIDANCE);
    }

    /** The guidance weight gamma. */
    public double gamma() {
        return gamma;
    }

    @Override
    public Shape sampleShape() {
        return base.sampleShape();
    }

    @Override
    public PerturbationKernel kernel() {
        return base.kernel();
    }

    @Override
    public Parameterisation parameterisation() {
        return Parameterisation.SCORE;
    }

    /** s(x, t) + gamma grad_x log p_t(y | x). */
    @Override
    public NDArray output(NDArray x, double t) {
        NDArray score = base.score(x, t);
        return gamma == 0 ? score : score.add(gradient(x, t).mul(gamma));
    }

    /** grad_x sum_i log p_t(y | x_i) = grad_x log p_t(y | x) row by row (the rows are independent). */
    private NDArray gradient(NDArray x, double t) {
        NDArray input = x.duplicate();
        input.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logLikelihood = term.logLikelihood(input, t);
            if (logLikelihood.getShape().dimension() != 1 || logLikelihood.getShape().get(0) != x.getShape().get(0)) {
                throw new IllegalArgumentException("the log-likelihood term returned shape " + logLikelihood.getShape()
                        + ": expected one value per row, (" + x.getShape().get(0) + ",)");
            }
            collector.backward(logLikelihood.sum());
            return input.getGradient().duplicate();
        }
    }
}
