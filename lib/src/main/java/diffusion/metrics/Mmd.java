package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Squared maximum mean discrepancy with the Gaussian RBF kernel k(a, b) = exp(-||a - b||^2 / (2 h^2)).
 *
 * <p>The unbiased estimate is
 * MMD^2_u = 1/(n(n-1)) sum_{i != j} k(x_i, x_j) + 1/(m(m-1)) sum_{i != j} k(y_i, y_j) - 2/(nm) sum_{i,j} k(x_i, y_j);
 * it can be slightly negative when the laws agree. Kernel sums are computed in blocks of
 * {@value #BLOCK_ROWS} rows, each in its own NDManager, so n = m = 10^4 needs about 40 MB at a time
 * rather than an n x n matrix. Squared distances use ||a||^2 + ||b||^2 - 2 a.b on data centred at
 * the pooled mean, clamped at 0 (results agree with exact arithmetic to float32 rounding, about 1e-7); the diagonal terms k(x_i, x_i) = 1 are removed exactly.
 */
public final class Mmd {

    /** Rows of the kernel matrix computed per block. */
    public static final int BLOCK_ROWS = 1000;

    /** Largest pooled sample on which the median heuristic is evaluated; larger ones are subsampled. */
    public static final int MEDIAN_SUBSAMPLE = 1000;

    /** Seed of the SplittableRandom that draws the median heuristic's subsample. */
    public static final long MEDIAN_SEED = 0;

    private Mmd() {}

    /** MMD^2_u(x, y) with bandwidth h = {@link #medianBandwidth}(x, y). */
    public static double rbf(NDArray x, NDArray y) {
        return rbf(x, y, medianBandwidth(x, y));
    }

    /** MMD^2_u(x, y) with k(a, b) = exp(-||a - b||^2 / (2 h^2)), h = bandwidth &gt; 0; x (n, d), y (m, d), n, m &gt;= 2. */
    public static double rbf(NDArray x, NDArray y, double bandwidth) {
        return rbf(x, y, bandwidth, BLOCK_ROWS);
    }

    /** As {@link #rbf(NDArray, NDArray, double)}, with blockRows rows of the kernel matrix per block. */
    static double rbf(NDArray x, NDArray y, double bandwidth, int blockRows) {
        Samples.checkPair(x, y, 2);
        if (!(bandwidth > 0) || Double.isInfinite(bandwidth)) {
            throw new IllegalArgumentException("bandwidth = " + bandwidth + " must be finite and > 0");
        }
        double n = x.getShape().get(0);
        double m = y.getShape().get(0);
        double gamma = 1 / (2 * bandwidth * bandwidth);
        if (!Double.isFinite(gamma)) {
            throw new IllegalArgumentException("bandwidth = " + bandwidth + ": 1 / (2 bandwidth^2) overflows; need bandwidth >= 1e-154");
        }
        return Samples.inScratch(x, y, (xs, ys) -> {
            NDArray pooledMean = xs.sum(new int[] {0}).add(ys.sum(new int[] {0})).div(n + m);
            NDArray xc = xs.sub(pooledMean);
            NDArray yc = ys.sub(pooledMean);
            double sumXX = kernelSum(xc, xc, gamma, blockRows) - n;
            double sumYY = kernelSum(yc, yc, gamma, blockRows) - m;
            double sumXY = kernelSum(xc, yc, gamma, blockRows);
            double mmd = sumXX / (n * (n - 1)) + sumYY / (m * (m - 1)) - 2 * sumXY / (n * m);
            if (!Double.isFinite(mmd)) {
                throw new IllegalArgumentException("x and y have entries so large that their squared distances overflow "
                        + xs.getDataType() + " (MMD^2 = " + mmd + "); rescale them or pass float64 samples");
            }
            return mmd;
        });
    }

    /**
     * sum_{i,j} exp(-gamma ||a_i - b_j||^2) = sum_{i,j} exp(min(0, 2 gamma a_i.b_j - gamma ||a_i||^2 - gamma ||b_j||^2)),
     * accumulated over blocks of blockRows rows of a.
     */
    private static double kernelSum(NDArray a, NDArray b, double gamma, int blockRows) {
        long rows = a.getShape().get(0);
        NDArray bTransposed = b.transpose().mul(2 * gamma);
        NDArray bTerm = b.square().sum(new int[] {1}).mul(gamma).expandDims(0);
        NDArray aTerm = a.square().sum(new int[] {1}, true).mul(gamma);
        double total = 0;
        for (long start = 0; start < rows; start += blockRows) {
            try (NDManager block = a.getManager().newSubManager()) {
                NDIndex rowRange = new NDIndex(start + ":" + Math.min(rows, start + blockRows));
                NDArray exponent = a.get(block, rowRange).matMul(bTransposed)
                        .subi(aTerm.get(block, rowRange)).subi(bTerm);
                total += exponent.minimum(0).exp().sum().toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return total;
    }

    /**
     * Median heuristic h = median_{i &lt; j} ||z_i - z_j|| over the pooled sample z = (x; y), or over a
     * uniform subsample without replacement of {@value #MEDIAN_SUBSAMPLE} pooled points drawn with
     * SplittableRandom({@value #MEDIAN_SEED}) when n + m &gt; {@value #MEDIAN_SUBSAMPLE}.
     */
    public static double medianBandwidth(NDArray x, NDArray y) {
        Samples.checkPair(x, y, 1);
        int dim = (int) x.getShape().get(1);
        double[] pooled = concat(x.toType(DataType.FLOAT64, false).toDoubleArray(), y.toType(DataType.FLOAT64, false).toDoubleArray());
        int size = pooled.length / dim;
        int[] index = new int[size];
        Arrays.setAll(index, i -> i);
        int kept = Math.min(size, MEDIAN_SUBSAMPLE);
        SplittableRandom random = new SplittableRandom(MEDIAN_SEED);
        for (int i = 0; i < kept && kept < size; i++) {
            int swap = i + random.nextInt(size - i);
            int held = index[i];
            index[i] = index[swap];
            index[swap] = held;
        }
        double[] distances = new double[kept * (kept - 1) / 2];
        int pair = 0;
        for (int i = 0; i < kept; i++) {
            for (int j = i + 1; j < kept; j++) {
                double squared = 0;
                for (int k = 0; k < dim; k++) {
                    double delta = pooled[index[i] * dim + k] - pooled[index[j] * dim + k];
                    squared += delta * delta;
                }
                distances[pair++] = Math.sqrt(squared);
            }
        }
        Arrays.sort(distances);
        int half = distances.length / 2;
        double median = distances.length % 2 == 1 ? distances[half] : 0.5 * (distances[half - 1] + distances[half]);
        if (!(median > 0)) {
            throw new IllegalArgumentException("median pairwise distance of x and y is " + median
                    + " (at least half the pooled points coincide); pass a bandwidth > 0 explicitly");
        }
        return median;
    }

    private static double[] concat(double[] first, double[] second) {
        double[] joined = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }
}
