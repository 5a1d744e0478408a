package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;

/**
 * The Inception Score of Salimans et al. (2016) from class probabilities p(y|x_i) (n, K) of n samples:
 * IS = exp(E_x KL(p(y|x) || p(y))) with the marginal p(y) = (1/n) sum_i p(y|x_i), computed in double precision with
 * 0 log 0 = 0. Equivalently log IS = H(p(y)) - E_x H(p(y|x)), the mutual information between sample and label, so
 * 1 &lt;= IS &lt;= K: K for confident predictions spread evenly over the K classes, 1 when every sample gets the same
 * prediction.
 *
 * <p>Over splits, as in Salimans et al.'s code (10 splits): split k of s holds the contiguous rows
 * [k n / s, (k + 1) n / s) (integer division; every row is used and split sizes differ by at most one), each split
 * gets its own IS with its own marginal, and the result is their mean and standard deviation (divisor s, numpy.std's
 * default, as the reference code reports it). A split's marginal comes from n / s samples only, so the mean over
 * splits depends on n / s: compare scores at the same n and s.
 *
 * <p>On the probabilities of the workbench's small classifier this is {@value #LABEL}, not the Inception-v3 score of
 * the papers ({@link #NOTE}).
 */
public final class InceptionScore {

    /** The column label of the score in tables. */
    public static final String LABEL = "IS (classifier)";

    /** The note every table of these scores carries. */
    public static final String NOTE = LABEL + ": Inception Score computed with the class probabilities of a small"
            + " classifier trained in the workbench; not the Inception-v3 IS of the papers, and not comparable with"
            + " published IS values";

    /** The number of splits of Salimans et al.'s reference code. */
    public static final int SALIMANS_SPLITS = 10;

    /** Largest accepted |sum_y p(y|x) - 1| for a row: a float32 softmax's sums differ from 1 by about K 6e-8. */
    static final double SUM_TOLERANCE = 1e-4;

    private InceptionScore() {
    }

    /** The IS of each split: their mean, their standard deviation (divisor splits) and the split count. */
    public record Result(double mean, double sd, int splits) {
    }

    /** IS over all n rows of probabilities (n, K) at once (one split). */
    public static double of(NDArray probabilities) {
        double[][] p = checked(probabilities, 1);
        return Math.exp(meanKl(p, 0, p.length)); // IS = exp(E_x KL(p(y|x) || p(y)))
    }

    /** IS over `splits` contiguous splits of probabilities (n, K), n &gt;= splits &gt;= 1: mean and sd over splits. */
    public static Result over(NDArray probabilities, int splits) {
        Arguments.nonNull("probabilities", probabilities);
        Arguments.atLeast("splits", splits, 1);
        if (splits > probabilities.getShape().get(0)) {
            throw new IllegalArgumentException("splits = " + splits + " must be at most n = " + probabilities.getShape().get(0)
                    + ", the rows of probabilities");
        }
        double[][] p = checked(probabilities, splits);
        int n = p.length;
        double[] scores = new double[splits];
        double mean = 0;
        for (int k = 0; k < splits; k++) {
            scores[k] = Math.exp(meanKl(p, (int) ((long) k * n / splits), (int) ((long) (k + 1) * n / splits))); // rows [k n / s, (k + 1) n / s)
            mean += scores[k] / splits;
        }
        double squares = 0;
        for (double score : scores) {
            squares += (score - mean) * (score - mean);
        }
        return new Result(mean, Math.sqrt(squares / splits), splits);
    }

    /** (1 / (to - from)) sum_{i in [from, to)} sum_y p_iy (log p_iy - log pbar_y), pbar the marginal over those rows. */
    static double meanKl(double[][] p, int from, int to) {
        double[] marginal = marginal(p, from, to);
        double kl = 0;
        for (int i = from; i < to; i++) {
            for (int y = 0; y < marginal.length; y++) {
                kl += p[i][y] > 0 ? p[i][y] * (Math.log(p[i][y]) - Math.log(marginal[y])) : 0; // 0 log 0 = 0
            }
        }
        return kl / (to - from);
    }

    /** pbar_y = (1 / (to - from)) sum_{i in [from, to)} p_iy. */
    static double[] marginal(double[][] p, int from, int to) {
        double[] marginal = new double[p[0].length];
        for (int i = from; i < to; i++) {
            for (int y = 0; y < marginal.length; y++) {
                marginal[y] += p[i][y] / (to - from);
            }
        }
        return marginal;
    }

    /**
     * The rows of probabilities (n, K), n &gt;= minRows, as doubles, after checking every row is a distribution:
     * finite entries in [0, 1] summing to 1 within {@value #SUM_TOLERANCE}.
     */
    static double[][] checked(NDArray probabilities, int minRows) {
        Arguments.finite("probabilities", probabilities);
        Samples.checkPair(probabilities, probabilities, minRows);
        double[][] p = Distances.rows(probabilities);
        for (int i = 0; i < p.length; i++) {
            double sum = 0;
            for (int y = 0; y < p[i].length; y++) {
                if (!(p[i][y] >= 0 && p[i][y] <= 1)) {
                    throw new IllegalArgumentException("probabilities[" + i + ", " + y + "] = " + p[i][y] + " must lie in [0, 1]");
                }
                sum += p[i][y];
            }
            if (Math.abs(sum - 1) > SUM_TOLERANCE) {
                throw new IllegalArgumentException("probabilities row " + i + " sums to " + sum + ": each row must be a"
                        + " distribution over the classes (sum 1 within " + SUM_TOLERANCE + ")");
            }
        }
        return p;
    }
}
