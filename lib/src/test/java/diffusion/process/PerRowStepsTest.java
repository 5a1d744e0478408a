package diffusion.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

class PerRowStepsTest {

    /** With one step per row, mu_q and mu(x_t, eps) equal the single-step versions applied row by row. */
    @Test
    void perRowPosteriorMeansEqualTheSingleStepMeansRowByRow() {
        NoiseSchedule schedule = NoiseSchedule.linear(50);
        Posterior posterior = new Posterior(schedule);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            long[] steps = {1, 2, 7, 25, 50};
            NDArray t = m.create(steps);
            NDArray xt = m.randomNormal(new Shape(steps.length, 3));
            NDArray x0 = m.randomNormal(new Shape(steps.length, 3));
            NDArray mean = posterior.mean(xt, x0, t);
            NDArray meanFromEps = posterior.meanFromEpsilon(xt, x0, t);
            for (int i = 0; i < steps.length; i++) {
                String row = "row " + i + ", t = " + steps[i];
                NDArray a = xt.get(i + ":" + (i + 1));
                NDArray b = x0.get(i + ":" + (i + 1));
                assertArrayEquals(posterior.mean(a, b, (int) steps[i]).toFloatArray(), mean.get(i + ":" + (i + 1)).toFloatArray(), 1e-6f, row);
                assertArrayEquals(posterior.meanFromEpsilon(a, b, (int) steps[i]).toFloatArray(),
                        meanFromEps.get(i + ":" + (i + 1)).toFloatArray(), 1e-5f, row);
            }
        }
    }

    /**
     * The KL with log-variances equals the scalar-variance KL when the variances are constant, and with per-element
     * variances it is the sum of the one-dimensional KLs of the columns.
     */
    @Test
    void klWithLogVariancesAgreesWithTheScalarFormAndSplitsOverDimensions() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NDArray mu1 = m.randomNormal(new Shape(4, 3));
            NDArray mu2 = m.randomNormal(new Shape(4, 3));
            double var1 = 0.3;
            double var2 = 1.7;
            float[] scalar = GaussianKl.kl(mu1, var1, mu2, var2).toFloatArray();
            float[] logForm = GaussianKl.kl(mu1, m.create((float) Math.log(var1)), mu2, m.create((float) Math.log(var2))).toFloatArray();
            assertArrayEquals(scalar, logForm, 1e-5f);
            double[] columnVariance = {0.2, 1.0, 3.0};
            NDArray logVar2 = m.create(new float[] {(float) Math.log(0.2), 0f, (float) Math.log(3.0)}).reshape(1, 3);
            float[] perElement = GaussianKl.kl(mu1, m.create((float) Math.log(var1)), mu2, logVar2).toFloatArray();
            for (int i = 0; i < 4; i++) {
                double sum = 0;
                for (int j = 0; j < 3; j++) {
                    NDArray a = mu1.get(i + ":" + (i + 1) + ", " + j + ":" + (j + 1));
                    NDArray b = mu2.get(i + ":" + (i + 1) + ", " + j + ":" + (j + 1));
                    sum += GaussianKl.kl(a, var1, b, columnVariance[j]).getFloat(0);
                }
                assertEquals(sum, perElement[i], 1e-5 * Math.max(1, Math.abs(sum)), "row " + i);
            }
        }
    }
}
