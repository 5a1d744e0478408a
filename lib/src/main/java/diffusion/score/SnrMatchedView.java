package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.sde.Sde;

/**
 * A noise predictor of a discrete NoiseSchedule seen as a noise predictor of a continuous variance-preserving SDE, by
 * matching the signal-to-noise ratio (Song et al. 2021 ran their DDPM checkpoints as VP-SDE models the same way): at
 * SDE time t the view evaluates the discrete model at the real-valued step tau(t) whose log-SNR, interpolated
 * linearly in the step between the integer steps of the schedule, equals the SDE's log SNR(t) = log(m(t)^2 / s(t)^2).
 * Both kernels are variance preserving (m^2 + s^2 = 1), so equal SNR means equal m and s: x_t has the same law under
 * both and eps(x_t) is the same function. Outside the schedule's range of SNR tau is clamped to [1, T]; for the VP SDE
 * with beta_min = 0.1, beta_max = 20 and the linear T = 1000 schedule no time in [1e-3, 1] is clamped (tau(1e-3) is
 * about 1.1, tau(1) about 996.6). The step reaches the discrete model as StepInput says: INTERPOLATED hands it tau
 * itself, a real-valued step (the network must read real-valued steps; a sinusoidal embedding of t does), ROUNDED the
 * nearest integer step round(tau) (for a model defined on the integer steps only: the discrete chain's exact oracle, a
 * network with a table of step embeddings). A grid finer than the chain (N = 2000 sampling steps on a T = 1000 chain)
 * then evaluates the rounded model at most half a step away from the SDE's noise level, two grid times sharing a step.
 * With it, the SDE-only methods (the reverse-SDE predictors, predictor-corrector, the probability-flow likelihood)
 * run on a network trained on the discrete chain.
 */
public final class SnrMatchedView implements ScoreModel {

    private final ScoreModel discrete;
    private final NoiseSchedule schedule;
    private final Sde sde;
    private final StepInput input;
    private final double[] logSnr; // logSnr[k] of the schedule, k = 1..T (decreasing in k)

    /** How the matched step tau(t) is handed to the discrete model. */
    public enum StepInput {
        /** tau(t) itself, real-valued: the log-SNR interpolated linearly between the integer steps. */
        INTERPOLATED,
        /** round(tau(t)), the nearest integer step in [1, T]. */
        ROUNDED
    }

    /** The view of discrete (an eps predictor over a NoiseSchedule) as a model of sde (variance preserving), StepInput.INTERPOLATED. */
    public SnrMatchedView(ScoreModel discrete, Sde sde) {
        this(discrete, sde, StepInput.INTERPOLATED);
    }

    /** The view of discrete as a model of sde, the matched step handed to it as input says. */
    public SnrMatchedView(ScoreModel discrete, Sde sde, StepInput input) {
        this.discrete = Arguments.nonNull("discrete", discrete);
        this.sde = Arguments.nonNull("sde", sde);
        this.input = Arguments.nonNull("input", input);
        if (!(discrete.kernel() instanceof NoiseSchedule s)) {
            throw new IllegalArgumentException("the model predicts for " + discrete.kernel() + ": a discrete NoiseSchedule is required");
        }
        if (discrete.parameterisation() != Parameterisation.EPSILON) {
            throw new IllegalArgumentException("the model predicts " + discrete.parameterisation() + ": an eps predictor is required");
        }
        for (double t : new double[] {sde.T() / 2, sde.T()}) {
            double m = sde.meanScale(t), st = sde.std(t);
            if (Math.abs(m * m + st * st - 1) > 1e-9) {
                throw new IllegalArgumentException(sde + " is not variance preserving (m^2 + s^2 = " + (m * m + st * st)
                        + " at t = " + t + "): matching the SNR would not match the marginals");
            }
        }
        this.schedule = s;
        this.logSnr = new double[s.T() + 1];
        for (int k = 1; k <= s.T(); k++) {
            logSnr[k] = Math.log(s.alphaBar(k) / (1 - s.alphaBar(k)));
        }
    }

    /** The discrete step tau(t) in [1, T] of equal log-SNR (real-valued). */
    public double step(double t) {
        double m = sde.meanScale(t), s = sde.std(t);
        double target = Math.log(m * m / (s * s));
        int T = schedule.T();
        if (target >= logSnr[1]) {
            return 1;
        }
        if (target <= logSnr[T]) {
            return T;
        }
        int lo = 1, hi = T; // logSnr[lo] > target > logSnr[hi]
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (logSnr[mid] > target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo + (logSnr[lo] - target) / (logSnr[lo] - logSnr[hi]);
    }

    /** The time the discrete model reads at SDE time t: tau(t) (INTERPOLATED) or round(tau(t)) (ROUNDED). */
    public double modelTime(double t) {
        double tau = step(sde.requireTime("t", t));
        return input == StepInput.ROUNDED ? Math.rint(tau) : tau;
    }

    /** How the step reaches the discrete model. */
    public StepInput input() {
        return input;
    }

    /** The discrete model behind the view. */
    public ScoreModel discrete() {
        return discrete;
    }

    @Override
    public Shape sampleShape() {
        return discrete.sampleShape();
    }

    @Override
    public PerturbationKernel kernel() {
        return sde;
    }

    @Override
    public Parameterisation parameterisation() {
        return Parameterisation.EPSILON;
    }

    @Override
    public NDArray output(NDArray x, double t) {
        return discrete.output(x, modelTime(t));
    }
}
