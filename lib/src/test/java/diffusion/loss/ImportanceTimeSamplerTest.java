package diffusion.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImportanceTimeSamplerTest {

    private static final int T = 5;
    private static final double Z = 5.0; // tolerance: 5 Monte Carlo standard errors

    /** Uniform until every t has HISTORY losses; then p_t = (1 - f) sqrt(E L_t^2) / sum + f / T. */
    @Test
    void warmUpIsUniformThenProbabilitiesFollowTheRootMeanSquareLoss() {
        ImportanceTimeSampler sampler = new ImportanceTimeSampler(T, 1);
        double[] level = {4, 1, -2, 0.5, 3}; // a negative L_0 (a continuous decoder) counts by its magnitude
        for (int k = 0; k < ImportanceTimeSampler.HISTORY; k++) {
            assertFalse(sampler.warm());
            double[] uniform = new double[T];
            Arrays.fill(uniform, 1.0 / T);
            assertArrayEquals(uniform, sampler.probabilities(), 0.0, "warm-up");
            sampler.record(new long[] {1, 2, 3, 4, 5}, level);
        }
        assertTrue(sampler.warm());
        double sum = Arrays.stream(level).map(Math::abs).sum();
        double f = ImportanceTimeSampler.UNIFORM_FLOOR;
        double[] expected = Arrays.stream(level).map(l -> (1 - f) * Math.abs(l) / sum + f / T).toArray();
        assertArrayEquals(expected, sampler.probabilities(), 1e-12);
        // the history keeps the last HISTORY values: ten new values at t = 2 replace all old ones
        for (int k = 0; k < ImportanceTimeSampler.HISTORY; k++) {
            sampler.record(new long[] {2}, new double[] {8});
        }
        double newSum = sum - 1 + 8;
        assertEquals((1 - f) * 8 / newSum + f / T, sampler.probabilities()[1], 1e-12);
    }

    /** Draws follow p (5 binomial standard errors per t), and the weighted estimate L_t / p_t is unbiased for sum_t L_t. */
    @Test
    void drawsFollowPAndTheWeightedEstimateIsUnbiased() {
        ImportanceTimeSampler sampler = new ImportanceTimeSampler(T, 2);
        double[] level = {4, 1, 2, 0.5, 3};
        for (int k = 0; k < ImportanceTimeSampler.HISTORY; k++) {
            sampler.record(new long[] {1, 2, 3, 4, 5}, level);
        }
        double[] p = sampler.probabilities();
        int n = 200_000;
        TimeSampler.Draw draw = sampler.draw(n);
        int[] count = new int[T + 1];
        double[] weighted = new double[n];
        for (int i = 0; i < n; i++) {
            int t = (int) draw.t()[i];
            count[t]++;
            assertEquals(p[t - 1], draw.probability()[i], 0.0, "the probability reported with each draw");
            weighted[i] = level[t - 1] / draw.probability()[i];
        }
        for (int t = 1; t <= T; t++) {
            assertEquals(p[t - 1], count[t] / (double) n, Z * Math.sqrt(p[t - 1] * (1 - p[t - 1]) / n), "frequency of t = " + t);
        }
        double mean = Arrays.stream(weighted).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(weighted).map(w -> (w - mean) * (w - mean)).sum() / (n - 1));
        assertEquals(Arrays.stream(level).sum(), mean, Z * sd / Math.sqrt(n) + 1e-9, "E[L_t / p_t] = sum_t L_t");
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ImportanceTimeSampler(0, 1));
        ImportanceTimeSampler sampler = new ImportanceTimeSampler(T, 1);
        assertThrows(IllegalArgumentException.class, () -> sampler.draw(0));
        assertThrows(IllegalArgumentException.class, () -> sampler.record(new long[] {6}, new double[] {1}), "t > T");
        assertThrows(IllegalArgumentException.class, () -> sampler.record(new long[] {1}, new double[] {Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> sampler.record(new long[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new UniformTimeSampler(0, 1));
    }
}
