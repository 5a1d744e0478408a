package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class EnvironmentTest {

    @Test
    void describeNamesEngineDeviceJavaSeedAndRunMode() {
        String html = Environment.describe(42);
        assertTrue(html.startsWith("<pre>") && html.endsWith("</pre>"), html);
        assertTrue(html.contains(Engine.getInstance().getEngineName()) && html.contains(Engine.getInstance().getVersion()), html);
        assertTrue(html.contains(Engine.getInstance().getGpuCount() > 0 ? "CUDA device(s)" : "CPU (no GPU visible to DJL)"), html);
        assertTrue(html.contains(System.getProperty("java.version")), html);
        assertTrue(html.contains("Seed:") && html.contains("42") && html.contains(RunMode.name()), html);
        assertTrue(html.contains("CPU kernels:") && html.contains(Environment.kernels()), html);
    }

    @Test
    void kernelsNameTheIsaCapTheMklPathAndTheThreads() {
        String isa = System.getenv("ONEDNN_MAX_CPU_ISA");
        String kernels = Environment.kernels();
        assertTrue(kernels.startsWith("ONEDNN_MAX_CPU_ISA=" + (isa == null || isa.isEmpty() ? "(unset)" : isa) + ", MKL_CBWR="), kernels);
        assertTrue(kernels.contains("PyTorch threads "), kernels);
    }

    @Test
    void seedingTheEngineRepeatsItsRandomNumbers() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Environment.seed(7);
            float[] first = manager.randomNormal(new Shape(5)).toFloatArray();
            Environment.seed(7);
            assertArrayEquals(first, manager.randomNormal(new Shape(5)).toFloatArray());
        }
        assertEquals(7, Environment.engineSeed(7));
        assertEquals(-3, Environment.engineSeed(-3));
        assertEquals(Long.hashCode(1L << 40), Environment.engineSeed(1L << 40));
    }
}
