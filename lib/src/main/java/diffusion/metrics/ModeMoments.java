package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;

/**
 * Per-mode moments of a sample around known modes mu_1..mu_K: each point joins the cell of its nearest mode (as in
 * ModeWeights), and each cell k gives its fraction f_k, mean m_k and per-coordinate standard deviation sd_k. Two
 * samples compare by D = sqrt(sum_k f'_k (||m_k - m'_k||^2 + ||sd_k - sd'_k||^2) + sum_k (f_k - f'_k)^2), the primed
 * sample being the reference: for one mode it is the 2-Wasserstein distance of the moment-matched diagonal Gaussians,
 * and for a mixture it sees a smeared or shifted mode and a wrong mode weight, which a sliced distance over the whole
 * sample dilutes. An empty cell contributes only through its fraction.
 */
public final class ModeMoments {

    private ModeMoments() {
    }

    /** The cell statistics: f_k, m_k (NaN for an empty cell) and sd_k. */
    public record Cells(double[] fractions, double[][] means, double[][] sds) {

        /** Refuses a null component, naming it. */
        public Cells {
            Arguments.allNonNull("fractions, means, sds", fractions, means, sds);
        }
    }

    /** The cells of x (n, d) around modes [K][d]. */
    public static Cells of(NDArray x, double[][] modes) {
        Arguments.allNonNull("x, modes", x, modes);
        ModeWeights.fractions(x, modes); // checks the shapes
        int K = modes.length, d = modes[0].length;
        long[] nearest;
        double[] values;
        try (NDManager scratch = x.getManager().newSubManager(x.getDevice())) {
            NDArray centres = scratch.create(modes).toType(x.getDataType(), false).toDevice(x.getDevice(), false);
            NDArray distances = x.expandDims(1).sub(centres.expandDims(0)).square().sum(new int[] {2}); // ||x_i - mu_k||^2
            distances.attach(scratch);
            nearest = distances.argMin(1).toType(DataType.INT64, false).toLongArray();
            values = x.toType(DataType.FLOAT64, false).toDoubleArray();
        }
        double[] count = new double[K];
        double[][] sum = new double[K][d], square = new double[K][d];
        for (int i = 0; i < nearest.length; i++) {
            int k = (int) nearest[i];
            count[k]++;
            for (int j = 0; j < d; j++) {
                sum[k][j] += values[i * d + j];
                square[k][j] += values[i * d + j] * values[i * d + j];
            }
        }
        double[] fractions = new double[K];
        double[][] means = new double[K][d], sds = new double[K][d];
        for (int k = 0; k < K; k++) {
            fractions[k] = count[k] / nearest.length;
            for (int j = 0; j < d; j++) {
                means[k][j] = count[k] > 0 ? sum[k][j] / count[k] : Double.NaN;
                double variance = count[k] > 1 ? (square[k][j] - count[k] * means[k][j] * means[k][j]) / (count[k] - 1) : Double.NaN;
                sds[k][j] = Math.sqrt(Math.max(0, variance));
            }
        }
        return new Cells(fractions, means, sds);
    }

    /** D(a, reference) as in the class comment; both over the same modes. */
    public static double distance(Cells a, Cells reference) {
        if (a.fractions().length != reference.fractions().length) {
            throw new IllegalArgumentException("a has " + a.fractions().length + " cells but the reference has " + reference.fractions().length);
        }
        double sum = 0;
        for (int k = 0; k < a.fractions().length; k++) {
            double weightError = a.fractions()[k] - reference.fractions()[k];
            sum += weightError * weightError;
            if (a.fractions()[k] == 0 || reference.fractions()[k] == 0) {
                continue;
            }
            for (int j = 0; j < a.means()[k].length; j++) {
                double dm = a.means()[k][j] - reference.means()[k][j];
                double ds = a.sds()[k][j] - reference.sds()[k][j];
                sum += reference.fractions()[k] * (dm * dm + ds * ds);
            }
        }
        return Math.sqrt(sum);
    }
}
