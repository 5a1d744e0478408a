package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Histogram distances between two samples in 2D: a bins x bins grid on the square [low, high)^2 plus one overflow
 * cell for every point outside it, so the cell probabilities of a sample always sum to 1. Samples with NaN or infinite
 * entries are refused (a NaN point belongs to no cell).
 *
 * <p>Total variation TV = 1/2 sum_c |p_c - q_c| of the empirical cell frequencies. KL(p || q) = sum_c p~_c
 * log(p~_c / q~_c) uses the Krichevsky-Trofimov estimate p~_c = (count_c + 1/2) / (n + C/2) over the C cells, so an
 * empty cell of q does not make it infinite. Both shrink to 0 as both samples grow from one law (at a rate set by
 * the number of cells over the sample size).
 */
public final class Histogram2D {

    /** The most bins per axis (4096: 16.8 million cells). */
    public static final int MAX_BINS = 4096;

    private Histogram2D() {}

    /** Cell counts of x (n, 2): index i * bins + j for x_1 in bin i and x_2 in bin j of [low, high), last cell overflow. */
    public static long[] counts(NDArray x, double low, double high, int bins) {
        checkGrid(low, high, bins);
        Samples.checkPair(x, x, 1);
        if (x.getShape().get(1) != 2) {
            throw new IllegalArgumentException("x has shape " + x.getShape() + "; a 2D sample (n, 2) is required");
        }
        double[] points = x.toType(DataType.FLOAT64, false).toDoubleArray();
        long[] counts = new long[bins * bins + 1];
        double width = (high - low) / bins;
        for (int i = 0; i < points.length; i += 2) {
            int first = (int) Math.floor((points[i] - low) / width);
            int second = (int) Math.floor((points[i + 1] - low) / width);
            boolean inside = first >= 0 && first < bins && second >= 0 && second < bins;
            counts[inside ? first * bins + second : bins * bins]++;
        }
        return counts;
    }

    /** TV = 1/2 sum_c |count_c(x) / n - count_c(y) / m| over the grid cells and the overflow cell. */
    public static double totalVariation(NDArray x, NDArray y, double low, double high, int bins) {
        long[] p = counts(x, low, high, bins);
        long[] q = counts(y, low, high, bins);
        double n = x.getShape().get(0);
        double m = y.getShape().get(0);
        double sum = 0;
        for (int c = 0; c < p.length; c++) {
            sum += Math.abs(p[c] / n - q[c] / m);
        }
        return sum / 2;
    }

    /** KL(p || q) = sum_c p~_c log(p~_c / q~_c), p~_c = (count_c(x) + 1/2) / (n + C/2), q~ likewise from y. */
    public static double kl(NDArray x, NDArray y, double low, double high, int bins) {
        long[] p = counts(x, low, high, bins);
        long[] q = counts(y, low, high, bins);
        double cells = p.length;
        double n = x.getShape().get(0) + cells / 2;
        double m = y.getShape().get(0) + cells / 2;
        double sum = 0;
        for (int c = 0; c < p.length; c++) {
            double pc = (p[c] + 0.5) / n;
            double qc = (q[c] + 0.5) / m;
            sum += pc * Math.log(pc / qc);
        }
        return sum;
    }

    private static void checkGrid(double low, double high, int bins) {
        if (!Double.isFinite(low) || !Double.isFinite(high) || !(high > low)) {
            throw new IllegalArgumentException("low = " + low + ", high = " + high + " must be finite with high > low");
        }
        if (bins < 1 || bins > MAX_BINS) {
            throw new IllegalArgumentException("bins = " + bins + " must lie in [1, " + MAX_BINS + "] (bins^2 + 1 cells are counted)");
        }
        if (!Double.isFinite((high - low) / bins) || !((high - low) / bins > 0)) {
            throw new IllegalArgumentException("low = " + low + ", high = " + high + ", bins = " + bins
                    + ": the bin width (high - low) / bins must be finite and > 0");
        }
    }
}
