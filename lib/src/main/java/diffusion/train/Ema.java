package diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Iterator;
import java.util.function.BiConsumer;

/** Exponential moving average of a network's weights, held in a shadow network of the same architecture. */
final class Ema {

    private final Block network;
    private final Block shadow;
    private final double decay;

    /** Starts the average at the network's current weights: w_ema = w. */
    Ema(Block network, Block shadow, double decay) {
        this.network = network;
        this.shadow = shadow;
        this.decay = decay;
        forEachPair((ema, w) -> w.copyTo(ema));
    }

    /** w_ema <- d w_ema + (1 - d) w, in place. */
    void update() {
        try (NDScope scope = new NDScope()) {
            forEachPair((ema, w) -> ema.muli(decay).addi(w.mul(1.0 - decay)));
        }
    }

    private void forEachPair(BiConsumer<NDArray, NDArray> action) {
        Iterator<Pair<String, Parameter>> shadowParameters = shadow.getParameters().iterator();
        for (Pair<String, Parameter> p : network.getParameters()) {
            action.accept(shadowParameters.next().getValue().getArray(), p.getValue().getArray());
        }
    }
}
