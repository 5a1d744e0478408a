package diffusion.loss;

import static diffusion.loss.LinearGaussian.D;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.nn.ScoreMlp;
import diffusion.report.Environment;
import org.junit.jupiter.api.Test;

class SlicedScoreMatchingTest {

    private static final double[][] A = {{-1.2, 0.3}, {0.1, -0.4}};
    private static final double[] B = {0.2, -0.1};

    /**
     * On the linear model s(x) = A x + b, whose Jacobian is A, the mean over projections of SSM and SSM-VR equals the
     * exact objective on the batch, tr A + 1/2 mean_i ||s(x_i)||^2, for Gaussian and Rademacher v (E[v v^T] = I).
     * 2000 projections for each of 50 rows; the terms are independent given x, tolerance 5 standard errors.
     */
    @Test
    void theEstimatorsMeanIsTheExactObjective() {
        try (NDManager m = NDManager.newBaseManager()) {
            ScoreMlp model = LinearGaussian.linear(m, A, B);
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x = LinearGaussian.sample(m, 50, 1);
            NDArray s = model.forward(parameters, new NDList(x), false).head();
            double exact = A[0][0] + A[1][1] + s.square().sum(new int[] {1}).mul(0.5).mean().getDouble();
            assertEquals(exact, ExplicitScoreMatching.terms(model, parameters, x).mean().getDouble(), 1e-12);
            for (Projection projection : Projection.values()) {
                for (boolean varianceReduced : new boolean[] {false, true}) {
                    Environment.seed(2);
                    SlicedScoreMatching ssm = new SlicedScoreMatching(projection, 2000, varianceReduced);
                    NDArray v = projection.sample(m, new Shape(2000, 50, D), DataType.FLOAT64);
                    double[] estimate = LinearGaussian.meanAndError(ssm.terms(model, parameters, x, v));
                    assertTrue(Math.abs(estimate[0] - exact) < 5 * estimate[1],
                            ssm + ": " + estimate[0] + " vs " + exact + " +- 5 x " + estimate[1]);
                }
            }
        }
    }

    /** Rademacher directions have entries +-1 with mean 0 and second moment matrix I; Gaussian ones too (in law). */
    @Test
    void rademacherProjectionsAreSignVectors() {
        try (NDManager m = NDManager.newBaseManager()) {
            Environment.seed(3);
            double[] v = Projection.RADEMACHER.sample(m, new Shape(10000, 2), DataType.FLOAT64).toDoubleArray();
            double sum = 0;
            for (double value : v) {
                assertEquals(1, Math.abs(value), 0);
                sum += value;
            }
            assertTrue(Math.abs(sum / v.length) < 5 / Math.sqrt(v.length), "mean " + sum / v.length + " within 5 SE of 0");
        }
    }

    /**
     * The gradient of v^T J v + 1/2 (v^T s)^2 (and of the VR form) with respect to every weight of a two-layer MLP, by
     * one ordinary backward through the forward-mode JVP, equals the finite-difference gradient at fixed x and v
     * (the projection law only changes v, which is data here, so Gaussian directions suffice).
     */
    @Test
    void theGradientMatchesFiniteDifferences() {
        for (boolean varianceReduced : new boolean[] {false, true}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Environment.seed(4);
                ScoreMlp network = new ScoreMlp(D, 5, 2);
                network.initialize(m, DataType.FLOAT64);
                ParameterStore parameters = new ParameterStore(m, false);
                NDArray x = LinearGaussian.sample(m, 6, 5);
                NDArray v = Projection.GAUSSIAN.sample(m, new Shape(3, 6, D), DataType.FLOAT64);
                SlicedScoreMatching ssm = new SlicedScoreMatching(Projection.GAUSSIAN, 3, varianceReduced);
                LinearGaussian.assertGradientMatchesFiniteDifferences(network,
                        () -> ssm.terms(network, parameters, x, v).mean());
            }
        }
    }

    @Test
    void fewerThanOneProjectionIsRejected() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> new SlicedScoreMatching(Projection.GAUSSIAN, 0, false));
        assertTrue(zero.getMessage().contains("projections = 0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SlicedScoreMatching(null, 1, true));
        try (NDManager m = NDManager.newBaseManager()) {
            ScoreMlp model = LinearGaussian.linear(m, A, B);
            NDArray x = LinearGaussian.sample(m, 4, 1);
            SlicedScoreMatching ssm = new SlicedScoreMatching(Projection.GAUSSIAN, 1, false);
            assertThrows(IllegalArgumentException.class,
                    () -> ssm.terms(model, new ParameterStore(m, false), x, m.zeros(new Shape(4, D), DataType.FLOAT64)));
        }
    }
}
