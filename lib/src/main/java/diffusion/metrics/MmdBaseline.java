package diffusion.metrics;

import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.data.DataSource;
import java.util.Arrays;

/**
 * The data-versus-data baseline of MMD^2 at a sample size: the statistic between independent pairs of data sets of
 * n points each, summarised by its mean and standard deviation. A sampler whose MMD^2 against fresh data lies
 * below mean + k sd is indistinguishable from the data at that size.
 */
public record MmdBaseline(double mean, double sd, int pairs) {

    /** MMD^2 over `pairs` >= 2 independent pairs of n-point data sets, seeded from seed, seed + 1, ... */
    public static MmdBaseline of(NDManager manager, DataSource data, int n, int pairs, long seed) {
        Arguments.allNonNull("manager, data", manager, data);
        if (pairs < 2) {
            throw new IllegalArgumentException("pairs = " + pairs + ": need >= 2 to estimate a spread");
        }
        double[] mmd = new double[pairs];
        for (int r = 0; r < pairs; r++) {
            try (NDManager pair = manager.newSubManager()) {
                mmd[r] = Mmd.rbf(data.sample(pair, n, seed + 2L * r), data.sample(pair, n, seed + 2L * r + 1));
            }
        }
        double mean = Arrays.stream(mmd).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(mmd).map(b -> (b - mean) * (b - mean)).sum() / (pairs - 1)); // sample sd
        return new MmdBaseline(mean, sd, pairs);
    }

    /** The acceptance threshold mean + k sd. */
    public double threshold(double k) {
        return mean + k * sd;
    }
}
