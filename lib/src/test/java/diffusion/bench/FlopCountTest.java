package diffusion.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import diffusion.nn.EpsMlp;
import org.junit.jupiter.api.Test;

class FlopCountTest {

    /** EpsMlp(2, 128, 3, 32): Linear layers 34 -> 128, 128 -> 128 twice, 128 -> 2, 2 in out flops each; training 3x. */
    @Test
    void theMlpCountsTwoInOutPerLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            EpsMlp network = EpsMlp.forDim(2);
            network.initialize(m);
            double forward = 2.0 * (34 * 128 + 128 * 128 + 128 * 128 + 128 * 2);
            assertEquals(forward, FlopCount.forwardPerSample(network));
            assertEquals(3 * forward, FlopCount.trainingPerSample(network));
        }
    }

    /** A 3x3 convolution 4 -> 16 channels costs 2 out in 9 per output position: 64 positions same-size, 16 with stride 2. */
    @Test
    void aConvolutionCountsItsOutputPositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            Conv2d same = Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(16).build();
            Conv2d halving = Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).optStride(new Shape(2, 2))
                    .setFilters(16).build();
            same.initialize(m, DataType.FLOAT32, new Shape(1, 4, 8, 8));
            halving.initialize(m, DataType.FLOAT32, new Shape(1, 4, 8, 8));
            assertEquals(2.0 * 16 * 4 * 9 * 64, FlopCount.forwardPerSample(same));
            assertEquals(2.0 * 16 * 4 * 9 * 16, FlopCount.forwardPerSample(halving));
        }
    }

    @Test
    void anUninitialisedBlockIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlopCount.forwardPerSample(EpsMlp.forDim(2)));
        assertTrue(e.getMessage().contains("not initialised"), e.getMessage());
    }

    /** --compare's options: defaults, --quick, and refusals naming the option and the value. */
    @Test
    void compareOptionsAreCheckedBeforeAnyWork() {
        Compare.Options full = Compare.Options.parse(new String[0]);
        assertEquals(3, full.rounds());
        assertEquals(1000, full.sampleSteps());
        assertArrayEquals(new int[] {1, 2}, full.threads());
        Compare.Options quick = Compare.Options.parse(new String[] {"--quick", "--threads", "1"});
        assertEquals(2, quick.rounds());
        assertArrayEquals(new int[] {1}, quick.threads());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Compare.Options.parse(new String[] {"--rounds", "0"}))
                .getMessage().contains("--rounds = 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Compare.Options.parse(new String[] {"--sample-steps", "300"}))
                .getMessage().contains("must divide T = 1000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Compare.Options.parse(new String[] {"--speed", "2"}))
                .getMessage().contains("bad argument --speed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Compare.Options.parse(new String[] {"--threads", "1,x"}))
                .getMessage().contains("--threads = x"));
    }
}
