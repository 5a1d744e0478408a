package diffusion.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.metrics.MonteCarlo;
import diffusion.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

class ForwardProcessTest {

    private static final int N = 200_000;
    private static final double Z = 5.0; // tolerance: 5 Monte Carlo standard errors (two-sided p < 6e-7)

    @Test
    void proposition1IteratingOneStepMatchesTheClosedForm() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        ForwardProcess q = new ForwardProcess(schedule);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            float[] x0 = {1.5f, -2.0f};
            NDArray x = m.create(x0).reshape(1, 2).repeat(0, N);
            for (int t = 1; t <= schedule.T(); t++) {
                x = q.step(x, t, m.randomNormal(x.getShape()));
                if (t % 25 == 0) {
                    double mean = Math.sqrt(schedule.alphaBar(t)); // E[x_t|x_0] = sqrt(alphaBar_t) x_0
                    double var = 1 - schedule.alphaBar(t); // Var[x_t|x_0] = 1 - alphaBar_t
                    for (int j = 0; j < 2; j++) {
                        assertEquals(mean * x0[j], MonteCarlo.mean(x, j), Z * MonteCarlo.meanError(var, N), "mean at t = " + t);
                        assertEquals(var, MonteCarlo.variance(x, j), Z * MonteCarlo.varianceError(var, N), "variance at t = " + t);
                    }
                }
            }
        }
    }

    @Test
    void perRowStepsAgreeWithTheScalarClosedForm() {
        NoiseSchedule schedule = NoiseSchedule.cosine(20);
        ForwardProcess q = new ForwardProcess(schedule);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = m.randomNormal(new Shape(4, 3));
            NDArray eps = m.randomNormal(new Shape(4, 3));
            NDArray t = m.create(new long[] {0, 1, 7, 20});
            NDArray perRow = q.sample(x0, t, eps);
            long[] steps = t.toLongArray();
            for (int i = 0; i < 4; i++) {
                NDArray expected = q.sample(x0.get(i + ":" + (i + 1)), (int) steps[i], eps.get(i + ":" + (i + 1)));
                assertEquals(0.0, perRow.get(i + ":" + (i + 1)).sub(expected).abs().max().getFloat(), 1e-6);
            }
            assertThrows(IllegalArgumentException.class, () -> q.sample(x0, m.zeros(new Shape(3), DataType.INT64), eps));
            assertThrows(IllegalArgumentException.class, () -> q.sample(x0, 1, m.zeros(new Shape(4, 2))));
        }
    }
}
