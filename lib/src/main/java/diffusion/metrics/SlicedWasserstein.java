package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import java.util.SplittableRandom;

/**
 * Sliced 2-Wasserstein distance SW_2(x, y) = sqrt( (1/L) sum_l W_2^2(theta_l . x, theta_l . y) )
 * between the empirical laws of x (n, d) and y (m, d), over L random unit directions theta_l.
 *
 * <p>Directions are theta_l = g_l / ||g_l|| with g_l ~ N(0, I_d) from SplittableRandom(seed). The 1D
 * distance is the exact W_2^2 between empirical laws, int_0^1 (F^-1(u) - G^-1(u))^2 du, computed by
 * quantile matching of the sorted projections: for n = m it is (1/n) sum_i (a_(i) - b_(i))^2, and
 * unequal n and m are handled exactly by merging the quantile breakpoints i/n and j/m.
 */
public final class SlicedWasserstein {

    private SlicedWasserstein() {}

    /** SW_2(x, y) = sqrt(mean_l W_2^2(theta_l . x, theta_l . y)) with projections = L &gt;= 1 seeded directions. */
    public static double distance(NDArray x, NDArray y, int projections, long seed) {
        if (projections < 1) {
            throw new IllegalArgumentException("projections = " + projections + " must be >= 1");
        }
        Samples.checkPair(x, y, 1);
        Arguments.derivedSize("projections", projections, "direction entries (dim = " + x.getShape().get(1) + " x projections)",
                x.getShape().get(1) * projections, Arguments.MAX_ENTRIES);
        int dim = (int) x.getShape().get(1);
        int n = (int) x.getShape().get(0);
        int m = (int) y.getShape().get(0);
        double[] directions = directions(dim, projections, seed);
        return Samples.inScratch(x, y, (xs, ys) -> {
            NDArray theta = xs.getManager().create(directions, new Shape(dim, projections))
                    .toType(xs.getDataType(), false).toDevice(xs.getDevice(), false);
            double[] a = sortedProjections(xs, theta);
            double[] b = sortedProjections(ys, theta.toType(ys.getDataType(), false));
            double sum = 0;
            for (int l = 0; l < projections; l++) {
                sum += squaredW2(a, n, b, m, l, projections);
            }
            return Math.sqrt(sum / projections);
        });
    }

    /** Columns theta_l = g_l / ||g_l||, g_l ~ N(0, I_d), as a row-major (d, L) array. */
    private static double[] directions(int dim, int projections, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] theta = new double[dim * projections];
        for (int l = 0; l < projections; l++) {
            double norm = 0;
            while (norm == 0) {
                for (int j = 0; j < dim; j++) {
                    theta[j * projections + l] = random.nextGaussian();
                    norm += theta[j * projections + l] * theta[j * projections + l];
                }
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < dim; j++) {
                theta[j * projections + l] /= norm;
            }
        }
        return theta;
    }

    /** (points theta) sorted along the sample axis, row-major (rows, L). */
    private static double[] sortedProjections(NDArray points, NDArray theta) {
        return points.matMul(theta).sort(0).toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /**
     * int_0^1 (F^-1(u) - G^-1(u))^2 du for column l of sorted a (n rows) and b (m rows): the quantile
     * functions are constant on [i/n, (i+1)/n) and [j/m, (j+1)/m); breakpoints are compared as integers.
     */
    private static double squaredW2(double[] a, int n, double[] b, int m, int l, int columns) {
        long position = 0;
        long end = (long) n * m;
        int i = 0;
        int j = 0;
        double sum = 0;
        while (position < end) {
            long next = Math.min((long) (i + 1) * m, (long) (j + 1) * n);
            double delta = a[i * columns + l] - b[j * columns + l];
            sum += (next - position) * delta * delta;
            position = next;
            if (next == (long) (i + 1) * m) {
                i++;
            }
            if (next == (long) (j + 1) * n) {
                j++;
            }
        }
        return sum / end;
    }
}
