package diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.report.Environment;
import org.junit.jupiter.api.Test;

class EpsMlpTest {

    /**
     * float32 agreement of the two first-layer paths: W [x, emb(tau)] + b and W_x x + (W_e emb(tau) + b) add the same
     * 34 products in another order, each rounding to within 2^-24 relative of the terms' magnitude; through four
     * layers of Xavier-scaled weights that stays below 1e-5 of the outputs' scale (max(1, max |output|)).
     */
    private static final double FLOAT32_AGREEMENT = 1e-5;

    /** With one tau in every row (a sampler's step), the shared-row first layer gives the per-row path's output. */
    @Test
    void sharedTimeRowEqualsThePerRowPath() {
        try (NDManager m = NDManager.newBaseManager()) {
            EpsMlp network = initialised(m);
            NDArray x = m.randomNormal(new Shape(500, 2)).mul(2);
            for (float tau : new float[] {1, 37, 500, 1000, -4.6f}) {
                NDArray times = m.full(new Shape(500), tau);
                float[] shared = forward(network, m, x, times, false); // inference, one tau: the shared row
                float[] perRow = forward(network, m, x, times, true); // training always takes the per-row path
                double scale = 1;
                double worst = 0;
                for (int i = 0; i < shared.length; i++) {
                    scale = Math.max(scale, Math.abs(perRow[i]));
                    worst = Math.max(worst, Math.abs(shared[i] - perRow[i]));
                }
                assertTrue(worst <= FLOAT32_AGREEMENT * scale, "tau = " + tau + ": max |shared - per-row| = " + worst + " at scale " + scale);
            }
        }
    }

    /**
     * Rows with different tau take the per-row path in inference as in training: the same operations, bit for bit, so
     * training, which never takes the shared row, computes what it computed before.
     */
    @Test
    void distinctTimesTakeThePerRowPathBitwise() {
        try (NDManager m = NDManager.newBaseManager()) {
            EpsMlp network = initialised(m);
            NDArray x = m.randomNormal(new Shape(300, 2));
            NDArray times = m.randomInteger(1, 1001, new Shape(300), ai.djl.ndarray.types.DataType.INT64);
            assertArrayEquals(forward(network, m, x, times, true), forward(network, m, x, times, false));
            NDArray one = x.get("0:1");
            NDArray first = times.get("0:1"); // a single row is the per-row path too
            assertArrayEquals(forward(network, m, one, first, true), forward(network, m, one, first, false));
        }
    }

    private static EpsMlp initialised(NDManager m) {
        Environment.seed(7);
        EpsMlp network = EpsMlp.forDim(2);
        network.initialize(m);
        return network;
    }

    private static float[] forward(EpsMlp network, NDManager m, NDArray x, NDArray tau, boolean training) {
        return network.forward(new ParameterStore(m, false), new NDList(x, tau), training).head().toFloatArray();
    }
}
