package diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scalar.times: the value and the gradient of c x, with the constant kept alive through garbage collection. */
class ScalarTest {

    /**
     * d(c x)/dx = c even when the garbage collector runs between the forward and the backward pass and the freed
     * native memory is refilled with NaN (DJL's x.mul(c) keeps c in a Java buffer that may be freed by then).
     */
    @Test
    void theGradientOfAScaledArraySurvivesGarbageCollection() throws InterruptedException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1, -2, 3, 0.5f});
            x.setRequiresGradient(true);
            float[] gradient;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = Scalar.over(Scalar.times(x, 3.0), 2.0).sum(); // 1.5 x (x.mul(3.0).div(2.0) gives NaN here)
                for (int round = 0; round < 3; round++) { // free unreachable Java buffers, then reuse their memory
                    System.gc();
                    Thread.sleep(50);
                    List<ByteBuffer> filler = new ArrayList<>();
                    for (int i = 0; i < 2000; i++) {
                        ByteBuffer b = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
                        while (b.hasRemaining()) {
                            b.putFloat(Float.NaN);
                        }
                        filler.add(b);
                    }
                }
                collector.backward(y);
                gradient = x.getGradient().toFloatArray();
            }
            assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f, 1.5f}, gradient, 1e-6f);
            assertArrayEquals(new float[] {1.5f, -3f, 4.5f, 0.75f}, Scalar.times(x, 1.5).toFloatArray(), 1e-6f);
        }
    }
}
