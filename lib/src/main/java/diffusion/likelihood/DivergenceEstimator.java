package diffusion.likelihood;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.report.Environment;

/**
 * How div v(x) = tr(dv/dx) is computed: as sum_m e_m^T (dv/dx) e_m over M probe directions per row. The exact trace
 * takes the d basis vectors (M = d vector-Jacobian products); Hutchinson's estimator takes one random probe with
 * E[e e^T] = I, so that E[e^T J e] = tr J: a standard Gaussian, or Rademacher signs (+-1, the smaller variance:
 * Var[e^T J e] = 2 sum_{i != j} J_ij^2 against 2 ||J||_F^2 for Gaussian probes with symmetric J).
 */
public enum DivergenceEstimator {

    /** The d basis vectors: the exact trace. */
    EXACT("exact"),
    /** One probe e ~ N(0, I). */
    GAUSSIAN("Hutchinson (Gaussian)"),
    /** One probe with independent signs e_j = +-1. */
    RADEMACHER("Hutchinson (Rademacher)");

    private final String label;

    DivergenceEstimator(String label) {
        this.label = label;
    }

    /** A name for tables and legends. */
    public String label() {
        return label;
    }

    /**
     * The probe directions for n rows in dimension d, shape (M n, d) with rows m n .. m n + n - 1 holding direction m for
     * each row; seeded (unused for EXACT). In FFJORD's convention the probes are drawn once per ODE solve.
     */
    public NDArray probes(NDManager manager, int n, int dim, long seed) {
        Arguments.atLeast("dim", dim, 1);
        Arguments.sampleCount(n, dim);
        switch (this) {
            case EXACT -> {
                // direction m is the basis vector e_m for every row: the identity repeated n times per block
                return manager.eye(dim).expandDims(1).repeat(1, n).reshape(new Shape((long) dim * n, dim));
            }
            case GAUSSIAN -> {
                Environment.seed(seed);
                return manager.randomNormal(new Shape(n, dim));
            }
            default -> {
                Environment.seed(seed);
                return manager.randomUniform(0, 1, new Shape(n, dim)).lt(0.5).toType(DataType.FLOAT32, false).mul(2).sub(1);
            }
        }
    }
}
