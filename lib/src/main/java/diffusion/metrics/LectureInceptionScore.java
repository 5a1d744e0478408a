package diffusion.metrics;

import ai.djl.ndarray.NDArray;

/**
 * The lecture's expansion of the Inception Score (an erratum, kept to be measured): file 002, section 一.1 writes
 * IS(G) = exp(E_x KL(p(y|x) || p(y))) = -p(y|x) log p(y) - (-p(y|x) log p(y|x)). The expansion of the KL is right
 * (KL(p || q) = H(p, q) - H(p), cross-entropy minus entropy, with the signs as written), but the second line drops the
 * exp (and the expectation over x): what it writes is log IS, not IS. With the sums over y and the mean over x
 * supplied, it is E_x[H(p(y|x), p(y))] - E_x[H(p(y|x))] = H(p(y)) - E_x H(p(y|x)) = log IS; e.g. ln 10 = 2.30 where
 * IS = 10.
 */
public final class LectureInceptionScore {

    private LectureInceptionScore() {
    }

    /**
     * The lecture's second line with the sum over y and the mean over x supplied:
     * (1/n) sum_i [-sum_y p_iy log pbar_y - (-sum_y p_iy log p_iy)], the cross-entropy term minus the entropy term
     * (0 log 0 = 0), for probabilities (n, K) whose rows are distributions.
     */
    public static double secondLine(NDArray probabilities) {
        double[][] p = InceptionScore.checked(probabilities, 1);
        double[] marginal = InceptionScore.marginal(p, 0, p.length);
        double crossEntropy = 0;
        double entropy = 0;
        for (double[] row : p) {
            for (int y = 0; y < row.length; y++) {
                if (row[y] > 0) {
                    crossEntropy -= row[y] * Math.log(marginal[y]) / p.length; // -p(y|x) log p(y)
                    entropy -= row[y] * Math.log(row[y]) / p.length; // -p(y|x) log p(y|x)
                }
            }
        }
        return crossEntropy - entropy;
    }
}
