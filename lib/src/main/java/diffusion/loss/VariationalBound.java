package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.metrics.MonteCarlo;
import diffusion.process.Coefficients;
import diffusion.process.ForwardProcess;
import diffusion.process.GaussianKl;
import diffusion.process.Posterior;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.LearnedVarianceModel;
import diffusion.score.ReverseModel;

/**
 * The DDPM variational bound on -log p_theta(x_0), in nats per example:
 * L_vlb = L_T + sum_{t=2}^T L_{t-1} + L_0 with
 * L_T = KL(q(x_T | x_0) || N(0, I)), L_{t-1} = E_q KL(q(x_{t-1} | x_t, x_0) || p_theta(x_{t-1} | x_t)) and
 * L_0 = -E_q log p_theta(x_0 | x_1) (the decoder). Evaluated exactly over all t, or estimated from one t per row,
 * L_T + L_{t-1} / p_t with t ~ p, which is unbiased for any p with p_t > 0.
 */
public final class VariationalBound {

    private final NoiseSchedule schedule;
    private final Decoder decoder;
    private final ForwardProcess forward;
    private final Posterior posterior;

    /** The bound of a schedule with T >= 2 and a decoder for L_0. */
    public VariationalBound(NoiseSchedule schedule, Decoder decoder) {
        Arguments.allNonNull("schedule, decoder", schedule, decoder);
        if (schedule.T() < 2) {
            throw new IllegalArgumentException("T = " + schedule.T() + ": the bound needs T >= 2 (one KL term and the decoder)");
        }
        this.schedule = schedule;
        this.decoder = decoder;
        this.forward = new ForwardProcess(schedule);
        this.posterior = new Posterior(schedule);
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    public Decoder decoder() {
        return decoder;
    }

    /** L_T = KL(N(sqrt(alphaBar_T) x_0, (1 - alphaBar_T) I) || N(0, I)) per row (n,), for x_0 of shape (n, d). */
    public NDArray prior(NDArray x0) {
        int T = schedule.T();
        return GaussianKl.kl(x0.mul(Math.sqrt(schedule.alphaBar(T))), 1.0 - schedule.alphaBar(T), x0.zerosLike(), 1.0);
    }

    /**
     * One term per row at per-row steps t (shape (n,), entries in 1..T), given x_0, x_t ~ q(x_t | x_0) and the model's
     * reverse kernel at x_t: L_0 = -log p_theta(x_0 | x_1) where t = 1, and
     * L_{t-1} = KL(N(mu_q(x_t, x_0), betaTilde_t I) || N(mu_theta, diag sigma_t^2)) where t >= 2.
     */
    public NDArray term(NDArray x0, NDArray xt, NDArray t, ReverseModel.Gaussian reverse) {
        Arguments.requireSame("x0", x0, "xt", xt);
        NDArray logBetaTilde = Coefficients.perStep(
                schedule.T(), s -> LearnedVarianceModel.logBetaTildeClipped(schedule, s), t, x0); // finite at t = 1 (masked below)
        NDArray kl = GaussianKl.kl(posterior.mean(xt, x0, t), logBetaTilde, reverse.mean(), reverse.logVariance());
        NDArray nll = decoder.nll(x0, reverse.mean(), reverse.logVariance());
        return NDArrays.where(t.toType(DataType.INT64, false).eq(1), nll, kl);
    }

    /** The single-t estimate per row, L_T + L_{t-1} / p_t (shape (n,)), with p_t the probability (n,) t was drawn with. */
    public NDArray estimate(NDArray x0, NDArray xt, NDArray t, NDArray probability, ReverseModel.Gaussian reverse) {
        return prior(x0).add(term(x0, xt, t, reverse).div(probability));
    }

    /**
     * The single-t estimate at one step t for the whole batch, drawn with probability p_t: x_t ~ q(x_t | x_0) with noise
     * from the engine's generator, then L_T + L_{t-1} / p_t per row (n,).
     */
    public NDArray estimate(ReverseModel model, NDArray x0, int t, double probability) {
        Arguments.requireBatch("x0", x0, model.dim());
        if (!(probability > 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability = " + probability + ": must lie in (0, 1]");
        }
        NDManager m = x0.getManager();
        NDArray xt = forward.sample(x0, t, m.randomNormal(x0.getShape()));
        NDArray steps = m.full(new Shape(x0.getShape().get(0)), t, DataType.INT64);
        return estimate(x0, xt, steps, m.full(steps.getShape(), (float) probability), model.reverse(xt, t));
    }

    /**
     * The exact bound of a model on a batch x_0 (n, d): every term t = 1..T with one fresh x_t ~ q(x_t | x_0) per row
     * and step (seeded), summed per row; each step in its own scope.
     */
    public Evaluation evaluate(ReverseModel model, NDArray x0, long seed) {
        Arguments.requireBatch("x0", x0, model.dim());
        if (model.schedule() != schedule) {
            throw new IllegalArgumentException("model reverses " + model.schedule() + " but the bound is for " + schedule);
        }
        Environment.seed(seed);
        int n = (int) x0.getShape().get(0);
        double[] perRow = new double[n];
        double prior;
        try (NDScope scope = new NDScope()) {
            float[] priorRows = prior(x0).toFloatArray();
            for (int i = 0; i < n; i++) {
                perRow[i] = priorRows[i];
            }
            prior = mean(priorRows);
        }
        double[] terms = new double[schedule.T()];
        Monitor monitor = Monitor.progress();
        monitor.start("vlb", schedule.T());
        try {
            for (int t = 1; t <= schedule.T(); t++) {
                try (NDScope scope = new NDScope()) {
                    NDArray xt = forward.sample(x0, t, x0.getManager().randomNormal(x0.getShape()));
                    NDArray steps = x0.getManager().full(new Shape(n), t, DataType.INT64);
                    float[] values = term(x0, xt, steps, model.reverse(xt, t)).toFloatArray();
                    for (int i = 0; i < n; i++) {
                        perRow[i] += values[i];
                    }
                    terms[t - 1] = mean(values);
                }
                monitor.step(t, t, null, "");
            }
        } finally {
            monitor.end();
        }
        MonteCarlo.Estimate total = MonteCarlo.estimate(perRow);
        return new Evaluation(prior, terms, total.mean(), total.standardError(), model.dim());
    }

    /**
     * Ho et al.'s weight of the eps-regression form, L_{t-1} = w_t E||eps - eps_theta||^2 + C with
     * w_t = beta_t^2 / (2 sigma_t^2 alpha_t (1 - alphaBar_t)), for a reverse variance sigma_t^2 > 0, t in 1..T.
     */
    public double epsWeight(int t, double sigmaSquared) {
        if (!(sigmaSquared > 0) || Double.isInfinite(sigmaSquared)) {
            throw new IllegalArgumentException("sigmaSquared = " + sigmaSquared + ": must be finite and > 0");
        }
        double beta = schedule.beta(t);
        return Arguments.finiteResult("sigmaSquared", sigmaSquared, "the eps weight",
                beta * beta / (2 * sigmaSquared * schedule.alpha(t) * (1 - schedule.alphaBar(t))));
    }

    /**
     * The VDM (SNR) weight of the x_0-regression form with sigma_t^2 = betaTilde_t:
     * L_{t-1} = 1/2 (SNR(t-1) - SNR(t)) E||x0_hat - x_0||^2, t in 2..T.
     */
    public double snrWeight(int t) {
        if (t < 2 || t > schedule.T()) {
            throw new IllegalArgumentException("t = " + t + ": the SNR form holds for the KL terms, t in 2.." + schedule.T());
        }
        return 0.5 * (schedule.snr(t - 1) - schedule.snr(t));
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /**
     * An exact evaluation: the batch means of L_T (prior) and of each term (terms[t - 1] = L_0 at t = 1, L_{t-1} at
     * t >= 2), their sum total in nats per example, and its standard error over the rows.
     */
    public record Evaluation(double prior, double[] terms, double total, double standardError, int dim) {

        /** Refuses a null component, naming it. */
        public Evaluation {
            Arguments.nonNull("terms", terms);
        }

        /** The bound in bits per dimension: total / (d ln 2). */
        public double bitsPerDim() {
            return total / (dim * Math.log(2));
        }

        /** The standard error of bitsPerDim(). */
        public double bitsPerDimError() {
            return standardError / (dim * Math.log(2));
        }
    }
}
