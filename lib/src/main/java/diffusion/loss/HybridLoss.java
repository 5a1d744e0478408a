package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.nn.EpsMlp;
import diffusion.process.ForwardProcess;
import diffusion.score.LearnedVarianceModel;
import diffusion.score.ReverseModel;

/**
 * Objectives for a network with learned variance (2d outputs: eps_theta, then v), Nichol and Dhariwal:
 * L_vlb alone, the single-t estimate L_T + L_{t-1} / p_t of the bound (mean and variance both trained by it), and the
 * hybrid L_simple + lambda L_vlb, where the VLB term sees the mean through a stop-gradient, so the mean is trained by
 * L_simple only and the variance by L_vlb only.
 */
public final class HybridLoss {

    private HybridLoss() {
    }

    /** L_vlb as a training objective: per row t ~ sampler, eps ~ N(0, I); an adaptive sampler is shown the observed terms. */
    public static Objective vlb(EpsMlp network, VariationalBound bound, TimeSampler sampler) {
        Arguments.allNonNull("network, bound, sampler", network, bound, sampler);
        return objective(network, bound, sampler, (batch, output) -> vlb(bound, output, batch));
    }

    /** L_simple + lambda L_vlb (stop-gradient on the mean inside L_vlb) as a training objective, lambda >= 0. */
    public static Objective hybrid(EpsMlp network, VariationalBound bound, double lambda, TimeSampler sampler) {
        Arguments.allNonNull("network, bound, sampler", network, bound, sampler);
        requireLambda(lambda);
        return objective(network, bound, sampler, (batch, output) -> hybrid(bound, output, batch, lambda));
    }

    /** The batch mean of the single-t bound estimate L_T + L_{t-1}(mu_theta, sigma_theta) / p_t, from the network output (n, 2d). */
    public static NDArray vlb(VariationalBound bound, NDArray output, Batch batch) {
        return vlbTerms(bound, output, batch, false).mean();
    }

    /**
     * L_simple + lambda L_vlb from the network output (n, 2d): the batch means of ||eps - eps_theta||^2 and of
     * L_T + L_{t-1}(sg(mu_theta), sigma_theta) / p_t, where sg stops the gradient.
     */
    public static NDArray hybrid(VariationalBound bound, NDArray output, Batch batch, double lambda) {
        requireLambda(lambda);
        NDArray simple = batch.eps().sub(LearnedVarianceModel.epsilonOf(output)).square().sum(new int[] {1}).mean();
        return simple.add(Scalar.times(vlbTerms(bound, output, batch, true), lambda).mean()); // scale the rows: a 0-d float32 times a double would widen to float64
    }

    /** The per-row bound estimates (n,), the mean's gradient stopped if asked. */
    private static NDArray vlbTerms(VariationalBound bound, NDArray output, Batch batch, boolean stopMeanGradient) {
        Arguments.requireBatch("output", output, 2 * (int) batch.x0().getShape().get(1));
        NDArray eps = LearnedVarianceModel.epsilonOf(output);
        ReverseModel.Gaussian reverse = LearnedVarianceModel.reverse(
                bound.schedule(), batch.xt(), batch.t(), stopMeanGradient ? eps.stopGradient() : eps, LearnedVarianceModel.vOf(output));
        return bound.estimate(batch.x0(), batch.xt(), batch.t(), batch.probability(), reverse);
    }

    private static Objective objective(EpsMlp network, VariationalBound bound, TimeSampler sampler, Loss loss) {
        ForwardProcess forward = new ForwardProcess(bound.schedule());
        return (parameters, x0) -> {
            NDManager m = x0.getManager();
            TimeSampler.Draw draw = sampler.draw((int) x0.getShape().get(0));
            NDArray t = m.create(draw.t());
            NDArray eps = m.randomNormal(x0.getShape());
            NDArray xt = forward.sample(x0, t, eps);
            Batch batch = new Batch(x0, t, m.create(toFloat(draw.probability())), eps, xt);
            NDArray output = network.forward(parameters, new NDList(xt, t), true).head();
            NDArray value = loss.apply(batch, output);
            if (sampler.adaptive()) {
                recordTerms(bound, sampler, output, batch, draw.t());
            }
            return value;
        };
    }

    /** Shows the sampler the per-row terms L_{t-1} (no gradient). */
    private static void recordTerms(VariationalBound bound, TimeSampler sampler, NDArray output, Batch batch, long[] t) {
        NDArray detached = output.stopGradient();
        ReverseModel.Gaussian reverse = LearnedVarianceModel.reverse(bound.schedule(), batch.xt(), batch.t(),
                LearnedVarianceModel.epsilonOf(detached), LearnedVarianceModel.vOf(detached));
        float[] terms = bound.term(batch.x0(), batch.xt(), batch.t(), reverse).toFloatArray();
        double[] losses = new double[terms.length];
        for (int i = 0; i < terms.length; i++) {
            losses[i] = terms[i];
        }
        sampler.record(t, losses);
    }

    private static float[] toFloat(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    private static void requireLambda(double lambda) {
        if (!(lambda >= 0) || Float.isInfinite((float) lambda)) {
            throw new IllegalArgumentException("lambda = " + lambda + ": the VLB weight must be >= 0 and finite in float32");
        }
    }

    /** One training batch: data x_0 (n, d), steps t (n,) drawn with probabilities p_t (n,), noise eps and x_t (n, d). */
    public record Batch(NDArray x0, NDArray t, NDArray probability, NDArray eps, NDArray xt) {

        /** Refuses a null component, naming it. */
        public Batch {
            Arguments.allNonNull("x0, t, probability, eps, xt", x0, t, probability, eps, xt);
        }
    }

    @FunctionalInterface
    private interface Loss {
        NDArray apply(Batch batch, NDArray output);
    }
}
