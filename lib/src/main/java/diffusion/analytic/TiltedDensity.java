package diffusion.analytic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.data.GaussianMixture;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The target of guidance with weight w at t = 0, the tilted density q(x) proportional to p(x | y)^(1+w) p(x)^(-w)
 * (equivalently p(x | y) p(y | x)^w), for 2D Gaussian-mixture laws, sampled exactly on a fine grid: the box
 * [lo_0, hi_0] x [lo_1, hi_1] is cut into cells x cells cells, each cell c gets the probability
 * P_c = q(centre_c) / sum_c' q(centre_c'), and a sample is a cell drawn with probability P_c and a uniform point in it.
 * The law sampled is that piecewise-uniform one, whose moments mean() and covariance() give exactly; it differs from q
 * by the midpoint rule (O(h^2) in the cell width h) and by the truncation to the box (edgeMass() measures it). Guided
 * diffusion with exact scores follows (1 + w) s_t(x | y) - w s_t(x) at every t, which is not the score of q pushed
 * through the kernel, so its samples need not have law q.
 */
public final class TiltedDensity {

    private final double w;
    private final double[] lo;
    private final double[] h;
    private final int cells;
    private final double[] probabilities;

    private TiltedDensity(double w, double[] lo, double[] h, int cells, double[] probabilities) {
        this.w = w;
        this.lo = lo;
        this.h = h;
        this.cells = cells;
        this.probabilities = probabilities;
    }

    /**
     * q proportional to conditional^(1+w) marginal^(-w) (w finite) on the box [lo, hi] (2D, lo &lt; hi per axis) cut
     * into cells x cells cells (cells in [2, 4096]).
     */
    public static TiltedDensity of(GaussianMixture conditional, GaussianMixture marginal, double w, double[] lo, double[] hi, int cells) {
        Arguments.nonNull("conditional", conditional);
        Arguments.nonNull("marginal", marginal);
        Arguments.within("w", w, -Arguments.MAX_GUIDANCE, Arguments.MAX_GUIDANCE);
        Arguments.nonNull("lo", lo);
        Arguments.nonNull("hi", hi);
        if (conditional.dim() != 2 || marginal.dim() != 2) {
            throw new IllegalArgumentException("conditional and marginal have dimensions " + conditional.dim() + " and "
                    + marginal.dim() + ": the grid sampler is for 2D laws");
        }
        if (lo.length != 2 || hi.length != 2) {
            throw new IllegalArgumentException("lo and hi have lengths " + lo.length + " and " + hi.length + ": expected 2");
        }
        double[] width = new double[2];
        for (int j = 0; j < 2; j++) {
            Arguments.within("lo[" + j + "]", lo[j], -Arguments.MAX_POINT_ENTRY, Arguments.MAX_POINT_ENTRY);
            Arguments.within("hi[" + j + "]", hi[j], -Arguments.MAX_POINT_ENTRY, Arguments.MAX_POINT_ENTRY);
            if (!(hi[j] > lo[j])) {
                throw new IllegalArgumentException("hi[" + j + "] = " + hi[j] + " must exceed lo[" + j + "] = " + lo[j]);
            }
        }
        if (cells < 2 || cells > 4096) {
            throw new IllegalArgumentException("cells = " + cells + " must lie in [2, 4096]");
        }
        for (int j = 0; j < 2; j++) {
            width[j] = (hi[j] - lo[j]) / cells;
        }
        double[] centres = new double[2 * cells * cells];
        for (int i = 0; i < cells; i++) {
            for (int k = 0; k < cells; k++) {
                centres[2 * (i * cells + k)] = lo[0] + (i + 0.5) * width[0];
                centres[2 * (i * cells + k) + 1] = lo[1] + (k + 0.5) * width[1];
            }
        }
        double[] logQ;
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDArray x = scratch.create(centres, new Shape(cells * cells, 2));
            logQ = conditional.logDensity(x).mul(1 + w).sub(marginal.logDensity(x).mul(w)).toDoubleArray(); // (1+w) log p(x|y) - w log p(x)
        }
        double peak = Arrays.stream(logQ).max().getAsDouble();
        double total = 0;
        double[] probabilities = new double[logQ.length];
        for (int c = 0; c < logQ.length; c++) {
            probabilities[c] = Math.exp(logQ[c] - peak);
            total += probabilities[c];
        }
        for (int c = 0; c < logQ.length; c++) {
            probabilities[c] /= total;
        }
        return new TiltedDensity(w, lo.clone(), width, cells, probabilities);
    }

    /** The guidance weight w. */
    public double w() {
        return w;
    }

    /** The mean of the sampled law, sum_c P_c centre_c. */
    public double[] mean() {
        double[] mean = new double[2];
        for (int c = 0; c < probabilities.length; c++) {
            mean[0] += probabilities[c] * centre(c, 0);
            mean[1] += probabilities[c] * centre(c, 1);
        }
        return mean;
    }

    /** The covariance of the sampled law: sum_c P_c (centre_c - mean)(centre_c - mean)^T + diag(h_j^2 / 12) (uniform in a cell). */
    public double[][] covariance() {
        double[] mean = mean();
        double[][] covariance = new double[2][2];
        for (int c = 0; c < probabilities.length; c++) {
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    covariance[a][b] += probabilities[c] * (centre(c, a) - mean[a]) * (centre(c, b) - mean[b]);
                }
            }
        }
        covariance[0][0] += h[0] * h[0] / 12;
        covariance[1][1] += h[1] * h[1] / 12;
        return covariance;
    }

    /** The probability of the cells on the box's border: a truncation that matters shows here. */
    public double edgeMass() {
        double mass = 0;
        for (int c = 0; c < probabilities.length; c++) {
            int i = c / cells;
            int k = c % cells;
            if (i == 0 || k == 0 || i == cells - 1 || k == cells - 1) {
                mass += probabilities[c];
            }
        }
        return mass;
    }

    /** n &gt;= 1 exact samples (n, 2) float32 of the piecewise-uniform law, from SplittableRandom(seed). */
    public NDArray sample(NDManager manager, int n, long seed) {
        Arguments.sampleCount(n, 2);
        double[] cumulative = new double[probabilities.length];
        double running = 0;
        for (int c = 0; c < probabilities.length; c++) {
            running += probabilities[c];
            cumulative[c] = running;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] points = new float[2 * n];
        for (int s = 0; s < n; s++) {
            int index = Arrays.binarySearch(cumulative, random.nextDouble() * running);
            int c = Math.min(index >= 0 ? index + 1 : -index - 1, probabilities.length - 1); // first c with cumulative[c] > u
            int i = c / cells;
            int k = c % cells;
            points[2 * s] = (float) (lo[0] + (i + random.nextDouble()) * h[0]);
            points[2 * s + 1] = (float) (lo[1] + (k + random.nextDouble()) * h[1]);
        }
        return manager.create(points, new Shape(n, 2)).toType(DataType.FLOAT32, false);
    }

    private double centre(int c, int axis) {
        int index = axis == 0 ? c / cells : c % cells;
        return lo[axis] + (index + 0.5) * h[axis];
    }
}
