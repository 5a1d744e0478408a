package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The energy distance of Szekely and Rizzo between samples x (n, d) and y (m, d),
 * E = 2 E|X - Y| - E|X - X'| - E|Y - Y'| (U-statistics within each sample, so E of two samples of one law has mean 0),
 * and its permutation test: the pooled sample is relabelled `permutations` times and the p-value is
 * (1 + #{E_perm &gt;= E}) / (1 + permutations). E is zero exactly when the laws agree, and, unlike the RBF MMD at a
 * median bandwidth, needs no bandwidth. All label sums come from one pooled distance matrix D (double precision): for
 * labels a (1 on x), a'Da, a'D1 and 1'D1 give the three means.
 */
public final class EnergyDistance {

    /** The largest pooled sample n + m (its distance matrix holds (n + m)^2 floats). */
    public static final int MAX_POOLED = 12_000;

    private EnergyDistance() {
    }

    /** The statistic and its permutation p-value. */
    public record Test(double distance, double pValue, int permutations) {
    }

    /** E(x, y); x and y need at least 2 rows each. */
    public static double distance(NDArray x, NDArray y) {
        return reference(y).distance(x);
    }

    /** A fixed sample y (at least 2 rows) against which many samples are scored: E|Y - Y'| is computed once. */
    public static Reference reference(NDArray y) {
        Arguments.nonNull("y", y);
        return new Reference(y);
    }

    /** See reference(y). */
    public static final class Reference {
        private final NDArray y;
        private final double[][] rows;
        private final double within;

        private Reference(NDArray y) {
            Samples.checkPair(y, y, 2);
            this.y = y;
            this.rows = Distances.rows(y);
            this.within = mean(rows, rows, true);
        }

        /** E(x, y) for x (n, d) with n &gt;= 2. */
        public double distance(NDArray x) {
            Samples.checkPair(x, y, 2);
            double[][] a = Distances.rows(x);
            return 2 * mean(a, rows, false) - mean(a, a, true) - within;
        }
    }

    /** The mean of ||a_i - b_j|| over all pairs, or over i != j when within one sample. */
    private static double mean(double[][] a, double[][] b, boolean within) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = within ? i + 1 : 0; j < b.length; j++) {
                sum += Distances.between(a[i], b[j]);
            }
        }
        return within ? 2 * sum / ((double) a.length * (a.length - 1)) : sum / ((double) a.length * b.length);
    }

    /** E(x, y) and its permutation p-value over `permutations` &gt;= 1 relabellings drawn from seed. */
    public static Test test(NDArray x, NDArray y, int permutations, long seed) {
        Arguments.allNonNull("x, y", x, y);
        Samples.checkPair(x, y, 2);
        Arguments.atLeast("permutations", permutations, 1);
        int n = Math.toIntExact(x.getShape().get(0));
        int m = Math.toIntExact(y.getShape().get(0));
        int pooled = n + m;
        if (pooled > MAX_POOLED) {
            throw new IllegalArgumentException("n + m = " + pooled + " points: at most " + MAX_POOLED + " (the pooled distance matrix)");
        }
        double[][] z = Distances.rows(x.concat(y.toDevice(x.getDevice(), false), 0));
        double[][] distances = Distances.matrix(z);
        double[] rowSums = new double[pooled]; // D 1
        double total = 0; // 1'D1
        for (int i = 0; i < pooled; i++) {
            for (double d : distances[i]) {
                rowSums[i] += d;
            }
            total += rowSums[i];
        }
        double[] statistics = new double[permutations + 1];
        boolean[] first = new boolean[pooled];
        int[] order = identity(pooled);
        RandomGenerator generator = RandomGeneratorFactory.<RandomGenerator>of("L64X128MixRandom").create(seed);
        for (int p = 0; p <= permutations; p++) {
            if (p > 0) {
                shuffle(order, generator);
            }
            java.util.Arrays.fill(first, false);
            for (int i = 0; i < n; i++) {
                first[order[i]] = true;
            }
            double aDa = 0; // a'Da
            double aD1 = 0; // a'D1
            for (int i = 0; i < pooled; i++) {
                if (first[i]) {
                    aD1 += rowSums[i];
                    for (int j = 0; j < pooled; j++) {
                        aDa += first[j] ? distances[i][j] : 0;
                    }
                }
            }
            double xy = aD1 - aDa; // a'D(1 - a)
            double yy = total - 2 * aD1 + aDa; // (1 - a)'D(1 - a)
            statistics[p] = 2 * xy / ((double) n * m) - aDa / ((double) n * (n - 1)) - yy / ((double) m * (m - 1));
        }
        int atLeast = 0;
        for (int p = 1; p <= permutations; p++) {
            atLeast += statistics[p] >= statistics[0] ? 1 : 0;
        }
        return new Test(statistics[0], (1.0 + atLeast) / (1.0 + permutations), permutations);
    }

    private static int[] identity(int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Fisher-Yates. */
    private static void shuffle(int[] order, RandomGenerator generator) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = generator.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }
}
