package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Euclidean distances between the rows of samples, computed in double precision on the JVM (exact for any n, d). */
final class Distances {

    private Distances() {
    }

    /** The rows of x (n, d) as double[n][d]. */
    static double[][] rows(NDArray x) {
        int n = Math.toIntExact(x.getShape().get(0));
        int d = Math.toIntExact(x.getShape().get(1));
        double[] flat = x.toType(DataType.FLOAT64, false).toDoubleArray();
        double[][] rows = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, rows[i], 0, d);
        }
        return rows;
    }

    /** ||a - b||. */
    static double between(double[] a, double[] b) {
        double sum = 0;
        for (int j = 0; j < a.length; j++) {
            double diff = a[j] - b[j];
            sum += diff * diff;
        }
        return Math.sqrt(sum);
    }

    /** D[i][j] = ||z_i - z_j|| for the rows of z (symmetric, zero diagonal). */
    static double[][] matrix(double[][] z) {
        double[][] distances = new double[z.length][z.length];
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < i; j++) {
                distances[i][j] = distances[j][i] = between(z[i], z[j]);
            }
        }
        return distances;
    }

    /** The distance of each row of z to its k-th nearest other row (k &gt;= 1, k &lt; number of rows). */
    static double[] kthNeighbour(double[][] z, int k) {
        double[] radius = new double[z.length];
        double[] nearest = new double[k]; // the k smallest distances so far, ascending
        for (int i = 0; i < z.length; i++) {
            java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
            for (int j = 0; j < z.length; j++) {
                double d = j == i ? Double.POSITIVE_INFINITY : between(z[i], z[j]);
                if (d < nearest[k - 1]) {
                    int p = k - 1;
                    while (p > 0 && nearest[p - 1] > d) {
                        nearest[p] = nearest[p - 1];
                        p--;
                    }
                    nearest[p] = d;
                }
            }
            radius[i] = nearest[k - 1];
        }
        return radius;
    }
}
