package diffusion.metrics;

import ai.djl.ndarray.NDArray;

/** Sample moments with their standard errors, for Monte Carlo checks with stated tolerances. */
public final class MonteCarlo {

    private MonteCarlo() {
    }

    /** Sample mean of column j. */
    public static double mean(NDArray x, int j) {
        return x.get(":, " + j).mean().getFloat();
    }

    /** Unbiased sample variance of column j. */
    public static double variance(NDArray x, int j) {
        NDArray c = x.get(":, " + j);
        long n = c.size();
        return c.sub(c.mean()).square().sum().getFloat() / (n - 1);
    }

    /** Standard error of a sample mean: sqrt(var / n). */
    public static double meanError(double variance, long n) {
        return Math.sqrt(variance / n);
    }

    /** Standard error of a Gaussian sample variance: var sqrt(2 / (n - 1)). */
    public static double varianceError(double variance, long n) {
        return variance * Math.sqrt(2.0 / (n - 1));
    }

    /** The sample mean of values and its standard error sd / sqrt(n) (NaN for a single value). */
    public static Estimate estimate(double[] values) {
        int n = values.length;
        if (n < 1) {
            throw new IllegalArgumentException("values is empty: need n >= 1");
        }
        double mean = 0;
        for (double v : values) {
            mean += v / n;
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return new Estimate(mean, n > 1 ? Math.sqrt(squares / (n - 1) / n) : Double.NaN);
    }

    /** A Monte Carlo mean and its standard error. */
    public record Estimate(double mean, double standardError) {
    }
}
