package diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.ManagedTest;
import diffusion.guidance.NetworkConditional;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The conditional 2D network and the network seen as a ConditionalModel (the MLP and the UNet). */
class ConditionalEpsMlpTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(100);

    /**
     * The label reaches the output: at initialisation (random weights) labels 0, 1 and none give outputs that differ by
     * far more than float32 rounding, while the same label gives the same output; no label input means the null label K.
     */
    @Test
    void theLabelChangesTheOutput() {
        Environment.seed(1);
        ConditionalEpsMlp network = new ConditionalEpsMlp(2, 3, 32, 2, 16);
        network.initialize(manager);
        NetworkConditional model = new NetworkConditional(network, 3, SCHEDULE, TimeConditioning.KERNEL_TIME);
        NDArray x = manager.randomNormal(new Shape(16, 2));
        NDArray zero = model.given(0).epsilon(x, 40);
        NDArray one = model.given(1).epsilon(x, 40);
        NDArray none = model.unconditional().epsilon(x, 40);
        assertTrue(zero.sub(one).abs().max().getFloat() > 1e-3, "labels 0 and 1");
        assertTrue(zero.sub(none).abs().max().getFloat() > 1e-3, "label 0 and none");
        assertEquals(0, zero.sub(model.given(0).epsilon(x, 40)).abs().max().getFloat(), 0);
        NDArray time = manager.full(new Shape(16), 40f);
        NDArray unlabelled = network.forward(new ParameterStore(manager, false), new NDList(x, time), false).head();
        assertEquals(0, unlabelled.sub(none).abs().max().getFloat(), 0, "no label input = the null label K");
    }

    /** The same for a class-conditional UNet (its label input exists already; NetworkConditional feeds it). */
    @Test
    void aConditionalUNetSeesItsLabel() {
        Environment.seed(2);
        UNet unet = new UNet(new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(), 0, 4, OptionalInt.of(10)));
        unet.initialize(manager);
        NetworkConditional model = new NetworkConditional(unet, 10, SCHEDULE, TimeConditioning.KERNEL_TIME);
        NDArray x = manager.randomNormal(new Shape(4, 1, 8, 8));
        assertTrue(model.given(3).epsilon(x, 50).sub(model.given(7).epsilon(x, 50)).abs().max().getFloat() > 1e-4);
        assertTrue(model.given(3).epsilon(x, 50).sub(model.unconditional().epsilon(x, 50)).abs().max().getFloat() > 1e-4);
        assertThrows(IllegalArgumentException.class, () -> model.given(10));
    }

    /** Labels out of 0..K, of a floating type or of the wrong length are refused by the network. */
    @Test
    void badLabelsAreRefused() {
        ConditionalEpsMlp network = new ConditionalEpsMlp(2, 3, 8, 1, 4);
        network.initialize(manager);
        ParameterStore store = new ParameterStore(manager, false);
        NDArray x = manager.zeros(new Shape(4, 2));
        NDArray t = manager.ones(new Shape(4));
        assertThrows(IllegalArgumentException.class, () -> network.forward(store, new NDList(x, t, manager.full(new Shape(4), 4, DataType.INT64)), false));
        assertThrows(IllegalArgumentException.class, () -> network.forward(store, new NDList(x, t, manager.full(new Shape(4), -1, DataType.INT64)), false));
        assertThrows(IllegalArgumentException.class, () -> network.forward(store, new NDList(x, t, manager.zeros(new Shape(4))), false));
        assertThrows(IllegalArgumentException.class, () -> network.forward(store, new NDList(x, t, manager.zeros(new Shape(3), DataType.INT64)), false));
        assertThrows(IllegalArgumentException.class, () -> new ConditionalEpsMlp(2, 0, 8, 1, 4));
    }
}
