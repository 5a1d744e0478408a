package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import diffusion.Arguments;
import java.util.Arrays;
import java.util.Random;

/**
 * The data-versus-data baseline of the Frechet distance at a sample size n: d^2 between two disjoint random subsets
 * of n rows each of a pool of real-data features (N, d), 2 n &lt;= N, over `pairs` independent splits, summarised by
 * its mean and standard deviation. d^2 of a model's n samples against n real points is only meaningful against this
 * floor (the plug-in estimate is biased upwards at finite n, see FrechetDistance): a model whose d^2 lies below
 * mean + k sd is indistinguishable from the data at that n. The pairs reuse one pool, so they are independent draws
 * from the pool's empirical law, not from the data's law; a pool much larger than 2 n keeps the difference small.
 */
public record FrechetBaseline(double mean, double sd, int n, int pairs) {

    /** d^2 over `pairs` &gt;= 2 disjoint splits of n &gt;= 2 rows each of pool (N, d), N &gt;= 2 n, drawn by Random(seed). */
    public static FrechetBaseline of(NDArray pool, int n, int pairs, long seed) {
        Arguments.nonNull("pool", pool);
        Samples.checkPair(pool, pool, 4);
        Arguments.atLeast("n", n, 2);
        Arguments.atLeast("pairs", pairs, 2);
        long size = pool.getShape().get(0);
        if (2L * n > size) {
            throw new IllegalArgumentException("pool has " + size + " rows: two disjoint draws of n = " + n + " need >= " + 2L * n);
        }
        Random random = new Random(seed);
        double[] distances = new double[pairs];
        for (int r = 0; r < pairs; r++) {
            long[] rows = random.longs(0, size).distinct().limit(2L * n).toArray(); // 2n distinct rows, uniformly
            try (NDScope scope = new NDScope()) {
                NDArray x = pool.get(pool.getManager().create(Arrays.copyOfRange(rows, 0, n)));
                NDArray y = pool.get(pool.getManager().create(Arrays.copyOfRange(rows, n, 2 * n)));
                distances[r] = FrechetDistance.between(x, y);
            }
        }
        MonteCarlo.Estimate estimate = MonteCarlo.estimate(distances);
        return new FrechetBaseline(estimate.mean(), estimate.standardError() * Math.sqrt(pairs), n, pairs); // sample sd = SE sqrt(pairs)
    }

    /** The acceptance threshold mean + k sd. */
    public double threshold(double k) {
        return mean + k * sd;
    }
}
