package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;

/**
 * The Ornstein-Uhlenbeck forward process of RDMC (lecture 000, "Reverse OU Process", beta = 1):
 * dX = -X dt + sqrt(2) dB, so p_{s|0}(x | x_0) = N(x; e^{-s} x_0, (1 - e^{-2 s}) I) and p_s tends to N(0, I). It runs
 * on [0, infinity): a grid over it names its start time.
 *
 * <p>Its reverse dY = {Y + 2 grad log p_{T-t}(Y)} dt + sqrt(2) dB is linear in Y for a frozen score v; solving
 * it exactly over a step eta (the exponential integrator) gives
 * Y' = e^eta Y + 2 (e^eta - 1) v + sqrt(e^{2 eta} - 1) xi with xi ~ N(0, I).
 */
public final class OrnsteinUhlenbeck implements Sde {

    /** The process with beta = 1 (it has no parameters). */
    public static final OrnsteinUhlenbeck KERNEL = new OrnsteinUhlenbeck();

    private OrnsteinUhlenbeck() {}

    /** T = infinity: the process has no horizon of its own. */
    @Override
    public double T() {
        return Double.POSITIVE_INFINITY;
    }

    /** f = -1. */
    @Override
    public double driftRate(double t) {
        return -1;
    }

    /** g = sqrt(2). */
    @Override
    public double diffusion(double t) {
        return Math.sqrt(2);
    }

    /** The stationary law N(0, I) at every start time. */
    @Override
    public double priorStd(double t) {
        return 1;
    }

    @Override
    public String name() {
        return "OU";
    }

    /** m(s) = e^{-s}, s &gt;= 0. */
    @Override
    public double meanScale(double s) {
        return Math.exp(-requireTime("s", s));
    }

    /** sigma(s) = sqrt(1 - e^{-2 s}), s &gt;= 0. */
    @Override
    public double std(double s) {
        return Math.sqrt(-Math.expm1(-2 * requireTime("s", s)));
    }

    /**
     * The conditional score grad_x log p_{s|0}(x | x_0) = (e^{-s} x_0 - x) / (1 - e^{-2 s}); x broadcasts against
     * x0 (e.g. x of shape (P, 1, d) against inner samples x0 of shape (P, n, d)). Lemma 2: its mean under
     * q_s(x_0 | x) proportional to p*(x_0) p_{s|0}(x | x_0) is the score grad log p_s(x).
     */
    public NDArray conditionalScore(NDArray x, NDArray x0, double s) {
        Arguments.positive("s", s);
        return x0.mul(meanScale(s)).sub(x).div(-Math.expm1(-2 * s));
    }

    /** Exponential integrator, coefficient of Y: e^eta. */
    public double stateCoefficient(double eta) {
        return Math.exp(requireStep(eta));
    }

    /** Exponential integrator, coefficient of the frozen score v: 2 (e^eta - 1). */
    public double scoreCoefficient(double eta) {
        return 2 * Math.expm1(requireStep(eta));
    }

    /** Exponential integrator, standard deviation of the noise: sqrt(e^{2 eta} - 1). */
    public double noiseStd(double eta) {
        return Math.sqrt(Math.expm1(2 * requireStep(eta)));
    }

    /** Accepts a step eta in [0, 354], where e^{2 eta} is finite. */
    private static double requireStep(double eta) {
        return Arguments.within("eta", eta, 0, 354);
    }

    @Override
    public String toString() {
        return "OU(beta=1)";
    }
}
