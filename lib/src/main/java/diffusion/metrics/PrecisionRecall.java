package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;

/**
 * Improved precision and recall of Kynkaanniemi et al. (2019): a sample's support is estimated as the union of balls
 * around its points, each of radius the distance to the point's k-th nearest neighbour within the sample. Precision
 * is the fraction of generated points inside the data's support (are the samples realistic?), recall the fraction of
 * data points inside the generated support (is the data covered?). A sampler that smears its mass between modes
 * loses precision; one that drops a mode loses recall.
 */
public final class PrecisionRecall {

    /** The paper's neighbourhood size. */
    public static final int K = 3;

    private PrecisionRecall() {
    }

    /** Precision and recall. */
    public record Scores(double precision, double recall) {
    }

    /** Precision and recall of generated (n, d) against data (m, d), with k = K. */
    public static Scores of(NDArray generated, NDArray data) {
        Arguments.allNonNull("generated, data", generated, data);
        return of(generated, data, K);
    }

    /** Precision and recall with neighbourhood size k &gt;= 1 (both samples need more than k rows). */
    public static Scores of(NDArray generated, NDArray data, int k) {
        Arguments.allNonNull("generated, data", generated, data);
        Reference reference = reference(data, k);
        return new Scores(reference.precision(generated), reference.recall(generated));
    }

    /** A fixed data set (more than k &gt;= 1 rows) with its k-NN radii computed once, for scoring many samples. */
    public static Reference reference(NDArray data, int k) {
        return new Reference(data, k);
    }

    /** See reference(data, k). */
    public static final class Reference {
        private final NDArray data;
        private final int k;
        private final double[][] rows;
        private final double[] radius;

        private Reference(NDArray data, int k) {
            this.k = Arguments.atLeast("k", k, 1);
            requireMoreRowsThan(k, "data", data);
            Samples.checkPair(data, data, k + 1);
            this.data = data;
            this.rows = Distances.rows(data);
            this.radius = Distances.kthNeighbour(rows, k);
        }

        /** The fraction of generated points inside the data's support. */
        public double precision(NDArray generated) {
            requireMoreRowsThan(k, "generated", generated);
            Samples.checkPair(generated, data, k + 1);
            return inside(Distances.rows(generated), rows, radius);
        }

        /** The fraction of data points inside the generated sample's support. */
        public double recall(NDArray generated) {
            requireMoreRowsThan(k, "generated", generated);
            Samples.checkPair(generated, data, k + 1);
            double[][] g = Distances.rows(generated);
            return inside(rows, g, Distances.kthNeighbour(g, k));
        }
    }

    /** Accepts a sample with more than k rows (a point's k-th neighbour is another point). */
    private static void requireMoreRowsThan(int k, String parameter, NDArray sample) {
        Arguments.nonNull(parameter, sample);
        long rows = sample.getShape().dimension() == 0 ? 0 : sample.getShape().get(0);
        if (rows <= k) {
            throw new IllegalArgumentException("k = " + k + " needs more than k rows, but " + parameter + " has " + rows);
        }
    }

    /** The fraction of points a_i within radius[j] of some b_j. */
    private static double inside(double[][] a, double[][] b, double[] radius) {
        int count = 0;
        for (double[] point : a) {
            for (int j = 0; j < b.length; j++) {
                if (Distances.between(point, b[j]) <= radius[j]) {
                    count++;
                    break;
                }
            }
        }
        return (double) count / a.length;
    }
}
