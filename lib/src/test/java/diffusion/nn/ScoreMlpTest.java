package diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import diffusion.report.Environment;
import org.junit.jupiter.api.Test;

class ScoreMlpTest {

    private static final int D = 3;
    private static final int N = 5;

    /**
     * Forward-mode J v equals the central difference (s(x + h v) - s(x - h v)) / 2h in float64: with h = 1e-5 the
     * truncation error is O(h^2) ~ 1e-10 and the rounding error O(1e-16 / h) ~ 1e-11, so 1e-8 is a strict bound.
     */
    @Test
    void jvpEqualsTheFiniteDifferenceJvp() {
        try (NDManager m = NDManager.newBaseManager()) {
            ScoreMlp network = network(m);
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x = m.randomNormal(0, 1, new Shape(N, D), DataType.FLOAT64);
            NDArray v = m.randomNormal(0, 1, new Shape(N, D), DataType.FLOAT64);
            double h = 1e-5;
            NDArray plus = network.forward(parameters, new NDList(x.add(v.mul(h))), false).head();
            NDArray minus = network.forward(parameters, new NDList(x.sub(v.mul(h))), false).head();
            NDArray difference = plus.sub(minus).div(2 * h);
            NDArray jv = network.jvp(parameters, x, v, false).get(1);
            assertArrayEquals(difference.toDoubleArray(), jv.toDoubleArray(), 1e-8);
        }
    }

    /** J v equals the explicit Jacobian, built row by row with reverse-mode autograd (row j = grad_x s_j), times v. */
    @Test
    void jvpEqualsTheExplicitJacobianTimesV() {
        try (NDManager m = NDManager.newBaseManager()) {
            ScoreMlp network = network(m);
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x = m.randomNormal(0, 1, new Shape(N, D), DataType.FLOAT64);
            NDArray v = m.randomNormal(0, 1, new Shape(N, D), DataType.FLOAT64);
            double[] expected = new double[N * D];
            for (int j = 0; j < D; j++) {
                NDArray input = x.duplicate();
                input.setRequiresGradient(true);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray s = network.forward(parameters, new NDList(input), true).head();
                    collector.backward(s.get(":, " + j).sum()); // rows are independent: grad_x of sum_i s_j(x_i)
                }
                double[] row = input.getGradient().mul(v).sum(new int[] {1}).toDoubleArray(); // (grad_x s_j) . v
                for (int i = 0; i < N; i++) {
                    expected[i * D + j] = row[i];
                }
            }
            assertArrayEquals(expected, network.jvp(parameters, x, v, false).get(1).toDoubleArray(), 1e-12);
        }
    }

    /** The JVP's primal output is the forward pass; for the linear model s(x) = W x + b the tangent is exactly W v. */
    @Test
    void theLinearModelsJacobianIsItsWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            Environment.seed(3);
            ScoreMlp linear = ScoreMlp.linear(D);
            linear.initialize(m, DataType.FLOAT64);
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x = m.randomNormal(0, 1, new Shape(N, D), DataType.FLOAT64);
            NDArray v = m.randomNormal(0, 1, new Shape(N, D), DataType.FLOAT64);
            NDList pass = linear.jvp(parameters, x, v, false);
            NDArray w = linear.getParameters().get("weight0").getArray();
            NDArray b = linear.getParameters().get("bias0").getArray();
            assertArrayEquals(x.matMul(w.transpose()).add(b).toDoubleArray(), pass.head().toDoubleArray(), 1e-14);
            assertArrayEquals(v.matMul(w.transpose()).toDoubleArray(), pass.get(1).toDoubleArray(), 1e-14);
            assertArrayEquals(linear.forward(parameters, new NDList(x), false).head().toDoubleArray(),
                    pass.head().toDoubleArray(), 0);
        }
    }

    @Test
    void badShapesAndSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ScoreMlp(0, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new ScoreMlp(2, 0, 1));
        IllegalArgumentException depth = assertThrows(IllegalArgumentException.class, () -> new ScoreMlp(2, 8, -1));
        assertTrue(depth.getMessage().contains("depth = -1"), depth.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            ScoreMlp network = network(m);
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x = m.zeros(new Shape(N, D), DataType.FLOAT64);
            assertThrows(IllegalArgumentException.class, () -> network.jvp(parameters, x, m.zeros(new Shape(N, D + 1)), false));
            assertThrows(IllegalArgumentException.class, () -> network.jvp(parameters, m.zeros(new Shape(N, D + 1)), x, false));
        }
    }

    /** A seeded float64 network with two hidden SiLU layers, so the JVP passes through every kind of layer. */
    private static ScoreMlp network(NDManager m) {
        Environment.seed(1);
        ScoreMlp network = new ScoreMlp(D, 16, 2);
        network.initialize(m, DataType.FLOAT64);
        return network;
    }
}
