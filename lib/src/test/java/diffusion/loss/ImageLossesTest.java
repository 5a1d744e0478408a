package diffusion.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.training.ParameterStore;
import diffusion.ManagedTest;
import diffusion.process.ForwardProcess;
import diffusion.schedule.NoiseSchedule;
import diffusion.sde.VpSde;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * L_simple and continuous DSM on images (n, C, H, W): each row's squared error sums over every non-batch axis, and the
 * per-row coefficients broadcast over channels and positions. Checked against closed forms evaluated in double
 * precision; tolerance 1e-5 relative: float32 sums of 2 x 3 x 3 = 18 terms of order 1 carry relative errors near 1e-7.
 */
class ImageLossesTest extends ManagedTest {

    private static final Shape IMAGES = new Shape(3, 2, 3, 3);

    private static float[] gaussian(long size, long seed) {
        Random random = new Random(seed);
        float[] values = new float[Math.toIntExact(size)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /**
     * With eps_theta(x_t, t) = x_t, per row i at its own step t_i: ||eps - x_t||^2 = sum_j ((1 - sqrt(1 - aBar)) eps_j
     * - sqrt(aBar) x0_j)^2, over all 18 entries of the image.
     */
    @Test
    void simpleLossSumsEveryAxisWithPerRowSteps() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        float[] x0 = gaussian(IMAGES.size(), 1);
        float[] eps = gaussian(IMAGES.size(), 2);
        int[] t = {1, 40, 100};
        LambdaBlock identity = new LambdaBlock(inputs -> new NDList(inputs.get(0)));
        NDArray loss = SimpleLoss.compute(identity, new ParameterStore(manager, false), new ForwardProcess(schedule),
                manager.create(x0, IMAGES), manager.create(new long[] {1, 40, 100}), manager.create(eps, IMAGES));
        double expected = 0;
        int perRow = Math.toIntExact(IMAGES.size() / 3);
        for (int i = 0; i < 3; i++) {
            double aBar = schedule.alphaBar(t[i]);
            for (int j = i * perRow; j < (i + 1) * perRow; j++) {
                double residual = (1 - Math.sqrt(1 - aBar)) * eps[j] - Math.sqrt(aBar) * x0[j];
                expected += residual * residual / 3;
            }
        }
        assertEquals(expected, loss.getFloat(), 1e-5 * expected);
    }

    /**
     * With s_theta(x_t, t) = -x_t / s(t)^2 (the exact score when x_0 = 0), s_theta + eps / s = -m(t) x_0 / s(t)^2 whatever
     * eps is drawn, so the row term is lambda_i m(t_i)^2 ||x0_i||^2 / s(t_i)^4, the norm over all 18 entries.
     */
    @Test
    void continuousDsmTermsSumEveryAxisWithPerRowTimes() {
        VpSde vp = new VpSde(0.1, 20);
        float[] x0 = gaussian(IMAGES.size(), 3);
        double[] t = {0.05, 0.3, 0.9};
        double[] lambda = {1, 0.5, 2};
        TrainableScore exactAtZero = (parameters, x, time, std) -> x.div(std.square()).neg();
        float[] terms = DenoisingScoreMatching.terms(exactAtZero, vp, new ParameterStore(manager, false),
                manager.create(x0, IMAGES), t, lambda).toFloatArray();
        int perRow = Math.toIntExact(IMAGES.size() / 3);
        for (int i = 0; i < 3; i++) {
            double norm = 0;
            for (int j = i * perRow; j < (i + 1) * perRow; j++) {
                norm += x0[j] * (double) x0[j];
            }
            double m = vp.meanScale(t[i]);
            double s = vp.std(t[i]);
            double expected = lambda[i] * m * m * norm / Math.pow(s, 4);
            assertEquals(expected, terms[i], 1e-5 * expected, "row " + i);
        }
    }
}
