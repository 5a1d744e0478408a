package diffusion.latent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.analytic.Dense;
import diffusion.data.DataSource;
import diffusion.metrics.MonteCarlo;

/**
 * The linear-Gaussian latent model z ~ N(0, I_k), x | z ~ N(W z + b, sigma^2 I_d), whose marginal
 * p(x) = N(b, W W^T + sigma^2 I_d) and posterior p(z | x) = N(S W^T (x - b) / sigma^2, S) with
 * S = (I_k + W^T W / sigma^2)^{-1} are exact: the model on which the ELBO's two decompositions are checked.
 */
public final class LinearGaussianModel implements DataSource {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final double[][] w;
    private final double[] b;
    private final double sigma;
    private final int d;
    private final int k;

    /** W (d x k, d >= 1, latent dimension k >= 1), b (length d), entries within +-MAX_POINT_ENTRY, sigma > 0 with sigma^2 and 1 / sigma^2 finite. */
    public LinearGaussianModel(double[][] w, double[] b, double sigma) {
        Arguments.allNonNull("w, b", w, b);
        Arguments.atLeast("data dimension d (rows of w)", w.length, 1);
        Arguments.atLeast("latent dimension k (columns of w)", Arguments.nonNull("w[0]", w[0]).length, 1);
        this.d = w.length;
        this.k = w[0].length;
        for (int i = 0; i < d; i++) {
            if (Arguments.bounded("w[" + i + "]", Arguments.nonNull("w[" + i + "]", w[i]), Arguments.MAX_POINT_ENTRY).length != k) {
                throw new IllegalArgumentException("w row " + i + " has " + w[i].length + " entries: every row needs k = " + k);
            }
        }
        if (Arguments.bounded("b", b, Arguments.MAX_POINT_ENTRY).length != d) {
            throw new IllegalArgumentException("b has length " + b.length + ": must be d = " + d);
        }
        this.sigma = Arguments.positive("sigma", sigma);
        Arguments.finiteResult("sigma", sigma, "sigma^2", sigma * sigma);
        Arguments.finiteResult("sigma", sigma, "1 / sigma^2", 1 / (sigma * sigma)); // the posterior precision W^T W / sigma^2 + I
        this.w = new double[d][];
        for (int i = 0; i < d; i++) {
            this.w[i] = w[i].clone();
        }
        this.b = b.clone();
    }

    /** A model with W's entries N(0, 1) / sqrt(k) and b's N(0, 1) (seeded), latent dimension k >= 1, sigma > 0. */
    public static LinearGaussianModel random(NDManager manager, int d, int k, double sigma, long seed) {
        Arguments.atLeast("data dimension d", d, 1);
        Arguments.derivedSize("data dimension d", d, "entries of the marginal covariance (d^2)", (long) d * d, Arguments.MAX_ENTRIES);
        Arguments.atLeast("latent dimension k", k, 1);
        Arguments.derivedSize("latent dimension k", k, "entries of the posterior covariance (k^2)", (long) k * k, Arguments.MAX_ENTRIES);
        Arguments.positive("sigma", Arguments.finite("sigma", sigma));
        Noise noise = Noise.seeded(seed);
        float[] entries = noise.normal(manager, new Shape(d, k)).toFloatArray();
        float[] offsets = noise.normal(manager, new Shape(d)).toFloatArray();
        double[][] w = new double[d][k];
        double[] b = new double[d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < k; j++) {
                w[i][j] = entries[i * k + j] / Math.sqrt(k);
            }
            b[i] = offsets[i];
        }
        return new LinearGaussianModel(w, b, sigma);
    }

    /** The data dimension d. */
    @Override
    public int dim() {
        return d;
    }

    @Override
    public String name() {
        return "linear_gaussian";
    }

    /** n draws x = W z + b + sigma n with z ~ N(0, I_k), n ~ N(0, I_d) (seeded), shape (n, d). */
    @Override
    public NDArray sample(NDManager manager, int n, long seed) {
        Arguments.sampleCount(n, d);
        Noise noise = Noise.seeded(seed);
        float[] z = noise.normal(manager, new Shape(n, k)).toFloatArray();
        float[] e = noise.normal(manager, new Shape(n, d)).toFloatArray();
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < d; r++) {
                double sum = b[r] + sigma * e[i * d + r];
                for (int j = 0; j < k; j++) {
                    sum += w[r][j] * z[i * k + j];
                }
                x[i * d + r] = (float) sum; // W z + b + sigma n
            }
        }
        return manager.create(x, new Shape(n, d));
    }

    /** log p(x) per row (n,) of a batch x (n, d), in double precision from the exact marginal. */
    public double[] logMarginal(NDArray x) {
        Arguments.requireBatch("x", x, d);
        Arguments.finite("x", x);
        Gaussian marginal = marginal();
        double[] values = x.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] out = new double[(int) x.getShape().get(0)];
        for (int i = 0; i < out.length; i++) {
            out[i] = marginal.logDensity(java.util.Arrays.copyOfRange(values, i * d, (i + 1) * d));
        }
        return out;
    }

    /** The latent dimension k. */
    public int latentDim() {
        return k;
    }

    /** The prior p(z) = N(0, I_k). */
    public Gaussian prior() {
        return Gaussian.standard(k);
    }

    /** The exact marginal p(x) = N(b, W W^T + sigma^2 I_d). */
    public Gaussian marginal() {
        double[][] covariance = Dense.multiply(w, Dense.transpose(w));
        for (int i = 0; i < d; i++) {
            covariance[i][i] += sigma * sigma;
        }
        return new Gaussian(b, symmetrised(covariance));
    }

    /** The exact posterior p(z | x) = N(S W^T (x - b) / sigma^2, S), S = (I_k + W^T W / sigma^2)^{-1}. */
    public Gaussian posterior(double[] x) {
        double[] r = residual(x, new double[k]);
        double[][] precision = Dense.multiply(Dense.transpose(w), w);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                precision[i][j] = (i == j ? 1 : 0) + precision[i][j] / (sigma * sigma); // I + W^T W / sigma^2
            }
        }
        double[][] s = symmetrised(Dense.inverse(symmetrised(precision)));
        double[] projected = Dense.multiply(Dense.transpose(w), r);
        double[] mean = Dense.multiply(s, projected);
        for (int i = 0; i < k; i++) {
            mean[i] /= sigma * sigma;
        }
        return new Gaussian(mean, s);
    }

    /** log p(x | z) = log N(x; W z + b, sigma^2 I_d). */
    public double logLikelihood(double[] x, double[] z) {
        double[] r = residual(x, z);
        return -0.5 * (d * (LOG_2PI + 2 * Math.log(sigma)) + Gaussian.dot(r, r) / (sigma * sigma));
    }

    /**
     * The ELBO of a Gaussian q(z | x) = N(m, S) at x in closed form, with both decompositions:
     * E_q log p(x | z) = -d/2 log(2 pi sigma^2) - (||x - W m - b||^2 + tr(W S W^T)) / (2 sigma^2), KL(q || p(z)),
     * log p(x) and KL(q || p(z | x)).
     */
    public Elbo elbo(double[] x, Gaussian q) {
        requireLatent(q);
        double[] m = q.mean();
        double[][] s = q.covariance();
        double[] r = residual(x, m);
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += Gaussian.dot(w[i], Dense.multiply(s, w[i])); // tr(W S W^T) = sum_i w_i^T S w_i
        }
        double reconstruction = -0.5 * d * (LOG_2PI + 2 * Math.log(sigma)) - (Gaussian.dot(r, r) + trace) / (2 * sigma * sigma);
        return new Elbo(reconstruction, q.kl(prior()), marginal().logDensity(x), q.kl(posterior(x)));
    }

    /**
     * The Monte Carlo ELBO with n >= 2 reparameterised draws z = m + L eps from q (seeded): the mean and standard error
     * of log p(x | z) + log p(z) - log q(z).
     */
    public MonteCarlo.Estimate elboEstimate(NDManager manager, double[] x, Gaussian q, int n, long seed) {
        requireLatent(q);
        Arguments.atLeast("n", n, 2);
        Arguments.sampleCount(n, k);
        float[] unit = Noise.seeded(seed).normal(manager, new Shape(n, k)).toFloatArray();
        Gaussian prior = prior();
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            double[] eps = new double[k];
            for (int j = 0; j < k; j++) {
                eps[j] = unit[i * k + j];
            }
            double[] z = q.draw(eps);
            values[i] = logLikelihood(x, z) + prior.logDensity(z) - q.logDensity(z); // log p(x, z) - log q(z)
        }
        return MonteCarlo.estimate(values);
    }

    private void requireLatent(Gaussian q) {
        if (Arguments.nonNull("q", q).dim() != k) {
            throw new IllegalArgumentException("q has dimension " + q.dim() + ": must be the latent dimension k = " + k);
        }
    }

    private double[] residual(double[] x, double[] z) {
        if (Arguments.bounded("x", x, Arguments.MAX_POINT_ENTRY).length != d) {
            throw new IllegalArgumentException("x has length " + x.length + ": must be d = " + d);
        }
        double[] mean = Dense.multiply(w, z);
        double[] r = new double[d];
        for (int i = 0; i < d; i++) {
            r[i] = x[i] - mean[i] - b[i]; // x - W z - b
        }
        return r;
    }

    private static double[][] symmetrised(double[][] a) {
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < i; j++) {
                double mean = 0.5 * (a[i][j] + a[j][i]);
                a[i][j] = mean;
                a[j][i] = mean;
            }
        }
        return a;
    }

    @Override
    public String toString() {
        return "linear-Gaussian model (d = " + d + ", k = " + k + ", sigma = " + sigma + ")";
    }

    /**
     * The ELBO's parts at one x: reconstruction E_q log p(x | z), klToPrior KL(q || p(z)), logMarginal log p(x) and
     * klToPosterior KL(q || p(z | x)).
     */
    public record Elbo(double reconstruction, double klToPrior, double logMarginal, double klToPosterior) {

        /** ELBO = E_q log p(x | z) - KL(q || p(z)). */
        public double viaPrior() {
            return reconstruction - klToPrior;
        }

        /** ELBO = log p(x) - KL(q || p(z | x)). */
        public double viaPosterior() {
            return logMarginal - klToPosterior;
        }

        /** The gap log p(x) - ELBO, computed from the first decomposition. */
        public double gap() {
            return logMarginal - viaPrior();
        }
    }
}
