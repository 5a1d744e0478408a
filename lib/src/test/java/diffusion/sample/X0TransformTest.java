package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

/**
 * The x_0 transforms against values worked out by hand. Tolerance 1e-6: the results are quotients of float32 inputs of
 * size at most 4 (one or two roundings, relative 6e-8 each).
 */
class X0TransformTest extends ManagedTest {

    /** clip(r) clips every entry to [-r, r]. */
    @Test
    void clipClipsEveryEntryToTheBox() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = m.create(new float[][] {{-2, 0.5f, 1.5f}, {0.99f, -1, 3}});
            assertArrayEquals(new float[] {-1, 0.5f, 1, 0.99f, -1, 1}, X0Transform.clip(1).apply(x0).toFloatArray(), 0f);
            assertArrayEquals(new float[] {-2, 0.5f, 1.5f, 0.99f, -1, 2}, X0Transform.clip(2).apply(x0).toFloatArray(), 0f);
            assertArrayEquals(x0.toFloatArray(), X0Transform.NONE.apply(x0).toFloatArray(), 0f);
        }
    }

    /**
     * Dynamic thresholding per sample: c = max(1, the p-quantile of |x_0| with linear interpolation between order
     * statistics at position p (d - 1)), then clip(x_0, -c, c) / c. Row (3, -1, 0.5, -4, 2) has |x_0| sorted
     * (0.5, 1, 2, 3, 4): p = 0.5 sits at position 2, c = 2, giving (1, -0.5, 0.25, -1, 1); p = 0.9 at position 3.6,
     * c = 3 + 0.6 (4 - 3) = 3.6; p = 1 takes the maximum, c = 4. A row inside [-1, 1] has c = 1 and stays as it is.
     */
    @Test
    void dynamicThresholdingRescalesEachSampleByItsQuantile() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = m.create(new float[][] {{3, -1, 0.5f, -4, 2}, {0.2f, -0.5f, 0.9f, 0.1f, -0.3f}});
            float[] inside = {0.2f, -0.5f, 0.9f, 0.1f, -0.3f};
            assertArrayEquals(concat(new float[] {1, -0.5f, 0.25f, -1, 1}, inside),
                    X0Transform.dynamicThreshold(0.5).apply(x0).toFloatArray(), 1e-6f, "p = 0.5");
            float c = 3.6f;
            assertArrayEquals(concat(new float[] {3 / c, -1 / c, 0.5f / c, -1, 2 / c}, inside),
                    X0Transform.dynamicThreshold(0.9).apply(x0).toFloatArray(), 1e-6f, "p = 0.9");
            assertArrayEquals(concat(new float[] {0.75f, -0.25f, 0.125f, -1, 0.5f}, inside),
                    X0Transform.dynamicThreshold(1).apply(x0).toFloatArray(), 1e-6f, "p = 1");
        }
    }

    /** Images (n, C, H, W): the quantile runs over all entries of one sample, and each sample has its own c. */
    @Test
    void dynamicThresholdingTakesTheQuantileOverAllEntriesOfASample() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = m.create(new float[] {2, -4, 1, 0, /* second sample */ 0.5f, 0.5f, -0.5f, 0.25f}, new Shape(2, 1, 2, 2));
            // p = 0.5, position 1.5: |x_0| sorted (0, 1, 2, 4) gives c = 1.5; (0.25, 0.5, 0.5, 0.5) gives 0.5, so c = 1
            NDArray out = X0Transform.dynamicThreshold(0.5).apply(x0);
            assertEquals(x0.getShape(), out.getShape());
            assertArrayEquals(new float[] {1, -1, 1 / 1.5f, 0, 0.5f, 0.5f, -0.5f, 0.25f}, out.toFloatArray(), 1e-6f);
        }
    }

    /**
     * In a sampler step the transformed x_0 replaces x0_hat and the noise direction is recomputed from it,
     * eps' = (x_t - m_t x0) / s_t (as improved-diffusion does): a DDIM (eta = 0) step from t = 500 to s = 300 with
     * clip(1) gives m_s clip(x0_hat) + s_s eps'. Hand-made x_t and eps; tolerance 1e-5 (numbers up to 1 / m_t = 3.6).
     */
    @Test
    void aSamplerStepUsesTheTransformedX0AndTheNoiseRecomputedFromIt() {
        NoiseSchedule schedule = NoiseSchedule.linear(1000);
        int t = 500;
        int s = 300;
        double mt = Math.sqrt(schedule.alphaBar(t)), st = Math.sqrt(1 - schedule.alphaBar(t));
        double ms = Math.sqrt(schedule.alphaBar(s)), ss = Math.sqrt(1 - schedule.alphaBar(s));
        float[] xt = {0.9f, -0.2f, 0.1f, 0.4f};
        float[] eps = {-0.8f, 0.3f, 0.6f, -0.1f};
        double[] expected = new double[4];
        boolean clipped = false;
        for (int i = 0; i < 4; i++) {
            double x0 = (xt[i] - st * eps[i]) / mt;
            double c = Math.max(-1, Math.min(1, x0));
            clipped |= c != x0;
            expected[i] = ms * c + ss * (xt[i] - mt * c) / st;
        }
        assertTrue(clipped, "the example clips some x0_hat");
        try (NDManager m = manager.newSubManager()) {
            NDArray step = GeneralisedReverse.ddim(0).withX0(X0Transform.clip(1))
                    .step(schedule, m.create(xt, new Shape(2, 2)), t, s, m.create(eps, new Shape(2, 2)), null);
            GeneralisedReverseTest.assertClose(expected, step.toFloatArray(), 1e-5, "clipped DDIM step");
        }
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> X0Transform.clip(0));
        assertThrows(IllegalArgumentException.class, () -> X0Transform.dynamicThreshold(0));
        assertThrows(IllegalArgumentException.class, () -> X0Transform.dynamicThreshold(1.5));
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
