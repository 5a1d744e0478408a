package diffusion.latent;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.schedule.PerturbationKernel;

/**
 * VDM's monotone noise schedule on t in [0, 1] (Kingma et al. 2021): alphaBar(t) = sigmoid(-gamma(t)),
 * SNR(t) = exp(-gamma(t)), with gamma the positive-weight network gammaTilde(t) = l1(t) + sum_j w3_j sigmoid(w2_j l1(t) + b2_j),
 * l1(t) = w1 t + b1 (w1 > 0, w2_j >= 0, w3_j >= 0, so increasing), rescaled to the given end points:
 * gamma(t) = gamma0 + (gamma1 - gamma0) (gammaTilde(t) - gammaTilde(0)) / (gammaTilde(1) - gammaTilde(0)).
 * As a perturbation kernel (variance preserving): m(t) = sqrt(sigmoid(-gamma(t))), s(t) = sqrt(sigmoid(gamma(t))).
 */
public final class MonotoneGamma implements PerturbationKernel {

    private final double gamma0;
    private final double gamma1;
    private final double w1;
    private final double b1;
    private final double[] w2;
    private final double[] b2;
    private final double[] w3;
    private final double tilde0;
    private final double tilde1;

    /**
     * The schedule with end points gamma0 &lt; gamma1 (a non-increasing SNR is refused) and the network's weights:
     * w1 &gt; 0, w2 and w3 of equal length with non-negative entries (a negative weight would allow a non-monotone gamma).
     */
    public MonotoneGamma(double gamma0, double gamma1, double w1, double b1, double[] w2, double[] b2, double[] w3) {
        Arguments.allNonNull("w2, b2, w3", w2, b2, w3);
        Arguments.finite("gamma0", gamma0);
        Arguments.finite("gamma1", gamma1);
        if (!(gamma1 > gamma0)) {
            throw new IllegalArgumentException("gamma1 = " + gamma1 + " <= gamma0 = " + gamma0
                    + ": the SNR exp(-gamma) must decrease from t = 0 to t = 1 (a monotone schedule needs gamma1 > gamma0)");
        }
        Arguments.positive("w1", Arguments.finite("w1", w1));
        Arguments.finite("b1", b1);
        Arguments.finite("w2", Arguments.nonNull("w2", w2));
        Arguments.finite("b2", Arguments.nonNull("b2", b2));
        Arguments.finite("w3", Arguments.nonNull("w3", w3));
        if (b2.length != w2.length || w3.length != w2.length) {
            throw new IllegalArgumentException("w2, b2, w3 have lengths " + w2.length + ", " + b2.length + ", " + w3.length + ": must be equal");
        }
        for (int j = 0; j < w2.length; j++) {
            if (w2[j] < 0 || w3[j] < 0) {
                throw new IllegalArgumentException("w2[" + j + "] = " + w2[j] + ", w3[" + j + "] = " + w3[j]
                        + ": the weights must be >= 0, or gamma need not be monotone");
            }
        }
        this.gamma0 = gamma0;
        this.gamma1 = gamma1;
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2.clone();
        this.b2 = b2.clone();
        this.w3 = w3.clone();
        this.tilde0 = tilde(0);
        this.tilde1 = tilde(1);
    }

    /** The linear schedule gamma(t) = gamma0 + (gamma1 - gamma0) t (no hidden units). */
    public static MonotoneGamma linear(double gamma0, double gamma1) {
        return new MonotoneGamma(gamma0, gamma1, 1, 0, new double[0], new double[0], new double[0]);
    }

    /**
     * A network of the given width &gt;= 1 with seeded weights: w1 = 1, b1 = 0, w2_j = 20 |n|, b2_j = -10 u_j
     * (u_j uniform, placing each sigmoid's step inside [0, 1]), w3_j = |n| (n standard normal).
     */
    public static MonotoneGamma random(NDManager manager, double gamma0, double gamma1, int width, long seed) {
        Arguments.size("width", width, 1);
        Noise noise = Noise.seeded(seed);
        float[] a = noise.normal(manager, new Shape(width)).toFloatArray();
        float[] u = noise.uniform(manager, new Shape(width)).toFloatArray();
        float[] c = noise.normal(manager, new Shape(width)).toFloatArray();
        double[] w2 = new double[width];
        double[] b2 = new double[width];
        double[] w3 = new double[width];
        for (int j = 0; j < width; j++) {
            w2[j] = 20 * Math.abs(a[j]);
            b2[j] = -w2[j] * u[j];
            w3[j] = Math.abs(c[j]);
        }
        return new MonotoneGamma(gamma0, gamma1, 1, 0, w2, b2, w3);
    }

    /**
     * The schedule with end points gamma0 &lt; gamma1 and weights packed as packedWeights() gives them:
     * [w1, b1, w2 (width), b2 (width), w3 (width)], length 2 + 3 width.
     */
    public static MonotoneGamma packed(double gamma0, double gamma1, double[] weights) {
        Arguments.nonNull("weights", weights);
        if (weights.length < 2 || (weights.length - 2) % 3 != 0) {
            throw new IllegalArgumentException("weights has length " + weights.length + ": expected 2 + 3 width, [w1, b1, w2, b2, w3]");
        }
        int width = (weights.length - 2) / 3;
        return new MonotoneGamma(gamma0, gamma1, weights[0], weights[1], java.util.Arrays.copyOfRange(weights, 2, 2 + width),
                java.util.Arrays.copyOfRange(weights, 2 + width, 2 + 2 * width), java.util.Arrays.copyOfRange(weights, 2 + 2 * width, 2 + 3 * width));
    }

    /** The weights [w1, b1, w2, b2, w3] (see packed). */
    public double[] packedWeights() {
        double[] weights = new double[2 + 3 * w2.length];
        weights[0] = w1;
        weights[1] = b1;
        System.arraycopy(w2, 0, weights, 2, w2.length);
        System.arraycopy(b2, 0, weights, 2 + w2.length, w2.length);
        System.arraycopy(w3, 0, weights, 2 + 2 * w2.length, w2.length);
        return weights;
    }

    /** gamma(0), the lower end point. */
    public double gamma0() {
        return gamma0;
    }

    /** gamma(1), the upper end point. */
    public double gamma1() {
        return gamma1;
    }

    /** gamma(t) for t in [0, 1]. */
    public double gamma(double t) {
        requireTime("t", t);
        return gamma0 + (gamma1 - gamma0) * (tilde(t) - tilde0) / (tilde1 - tilde0);
    }

    /** gamma'(t) = (gamma1 - gamma0) / (gammaTilde(1) - gammaTilde(0)) w1 (1 + sum_j w3_j w2_j s_j (1 - s_j)), s_j the j-th sigmoid. */
    public double gammaDerivative(double t) {
        requireTime("t", t);
        double l1 = w1 * t + b1;
        double slope = 1;
        for (int j = 0; j < w2.length; j++) {
            double s = sigmoid(w2[j] * l1 + b2[j]);
            slope += w3[j] * w2[j] * s * (1 - s);
        }
        return (gamma1 - gamma0) / (tilde1 - tilde0) * w1 * slope;
    }

    /** SNR(t) = exp(-gamma(t)). */
    public double snr(double t) {
        return Math.exp(-gamma(t));
    }

    /** alphaBar(t) = sigmoid(-gamma(t)). */
    public double alphaBar(double t) {
        return sigmoid(-gamma(t));
    }

    @Override
    public double meanScale(double t) {
        return Math.sqrt(alphaBar(t));
    }

    @Override
    public double std(double t) {
        return Math.sqrt(sigmoid(gamma(t))); // 1 - sigmoid(-gamma) = sigmoid(gamma)
    }

    @Override
    public double tMax() {
        return 1;
    }

    /** Variance preserving: the prior is N(0, I). */
    @Override
    public double priorStd(double t) {
        return 1;
    }

    private double tilde(double t) {
        double l1 = w1 * t + b1;
        double sum = l1;
        for (int j = 0; j < w2.length; j++) {
            sum += w3[j] * sigmoid(w2[j] * l1 + b2[j]); // l1 + l3(sigmoid(l2(l1)))
        }
        return sum;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Override
    public String toString() {
        return "monotone gamma (" + w2.length + " hidden units, gamma from " + gamma0 + " to " + gamma1 + ")";
    }
}
