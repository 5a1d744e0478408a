package diffusion.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.nn.EpsMlp;
import diffusion.process.Posterior;
import diffusion.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

class LearnedVarianceModelTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(50);

    /** v = 1 gives beta_t, v = 0 gives betaTilde_t (betaTilde_2 at t = 1), v = 1/2 their geometric mean; per row. */
    @Test
    void logSpaceInterpolationHitsBetaBetaTildeAndTheirGeometricMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            long[] steps = {1, 2, 17, 50};
            NDArray t = m.create(steps);
            for (double v : new double[] {0, 0.5, 1}) {
                NDArray logVariance = LearnedVarianceModel.logVariance(SCHEDULE, m.full(new Shape(4, 2), (float) v), t);
                for (int i = 0; i < steps.length; i++) {
                    int s = (int) steps[i];
                    double betaTilde = SCHEDULE.betaTilde(s == 1 ? 2 : s);
                    double expected = Math.pow(SCHEDULE.beta(s), v) * Math.pow(betaTilde, 1 - v);
                    float[] row = logVariance.get(i).exp().toFloatArray();
                    assertEquals(expected, row[0], 1e-5 * expected, "v = " + v + ", t = " + s);
                    assertEquals(expected, row[1], 1e-5 * expected, "v = " + v + ", t = " + s);
                }
            }
        }
    }

    /** The reverse kernel's mean is the eps-parameterised posterior mean of the network's first d outputs. */
    @Test
    void reverseMeanIsThePosteriorMeanOfTheEpsOutputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            EpsMlp network = new EpsMlp(2, 4, 16, 1, 8);
            network.initialize(m, DataType.FLOAT32, new Shape(1, 2), new Shape(1));
            LearnedVarianceModel model = new LearnedVarianceModel(network, SCHEDULE);
            NDArray xt = m.randomNormal(new Shape(5, 2));
            ReverseModel.Gaussian reverse = model.reverse(xt, 20);
            NDArray expected = new Posterior(SCHEDULE).meanFromEpsilon(xt, model.epsilon(xt, 20), 20);
            assertArrayEquals(expected.toFloatArray(), reverse.mean().toFloatArray(), 1e-6f);
            assertEquals(new Shape(5, 2), reverse.logVariance().getShape());
        }
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LearnedVarianceModel(new EpsMlp(2, 16, 1, 8), SCHEDULE), "d outputs");
        assertThrows(IllegalArgumentException.class, () -> new LearnedVarianceModel(new EpsMlp(2, 4, 16, 1, 8), NoiseSchedule.linear(1)), "T = 1");
    }
}
