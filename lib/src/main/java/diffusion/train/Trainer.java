package diffusion.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import diffusion.DivergedException;
import diffusion.Monitor;
import diffusion.loss.Objective;
import java.nio.file.Path;

/**
 * Minimises an Objective with Adam: each step draws a batch of rows from the data, takes a gradient step, and
 * updates an exponential moving average of the weights held in a shadow network of the same architecture.
 * Each step runs in its own NDScope so native memory stays flat; a NaN or infinite loss stops training before
 * anything is overwritten, leaving the last good checkpoint intact.
 */
public final class Trainer {

    private final Block network;
    private final Block ema;
    private final Objective objective;
    private final TrainingConfig config;
    private final Optimizer adam;
    private final Ema average;
    private final ParameterStore parameters;
    private int step;

    /** network and ema must be initialised (same architecture); the EMA starts at the network's weights. */
    public Trainer(NDManager manager, Block network, Block ema, Objective objective, TrainingConfig config) {
        if (!network.isInitialized() || !ema.isInitialized()) {
            throw new IllegalArgumentException("network and ema must be initialised before training");
        }
        this.network = network;
        this.ema = ema;
        this.objective = objective;
        this.config = config;
        this.average = new Ema(network, ema, config.emaDecay());
        this.adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) config.learningRate())).build();
        this.parameters = new ParameterStore(manager, false);
    }

    /** The network being optimised. */
    public Block network() {
        return network;
    }

    /** The exponential moving average of the network's weights (what one samples with). */
    public Block ema() {
        return ema;
    }

    /** Steps taken so far. */
    public int steps() {
        return step;
    }

    /**
     * One optimisation step on a batch of config.batchSize() samples drawn from data (n, d) or (n, C, H, W); returns
     * the batch loss. The rows are drawn uniformly with replacement by the engine's seeded generator, on data's
     * device: the data set stays where it is, only the drawn indices are created per step.
     */
    public float step(NDArray data) {
        if (data.getShape().dimension() < 2 || data.getShape().get(0) < 1) {
            throw new IllegalArgumentException("data has shape " + data.getShape() + ": expected (n, d) or (n, C, H, W) with n >= 1");
        }
        float loss;
        try (NDScope scope = new NDScope(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDManager m = data.getManager();
            NDArray rows = m.randomInteger(0, data.getShape().get(0), new Shape(config.batchSize()), DataType.INT64);
            NDArray value = objective.loss(parameters, data.get(rows));
            loss = value.getFloat();
            if (!Float.isFinite(loss)) {
                throw new DivergedException("training", step + 1, Double.NaN, "loss = " + loss + "; training was stopped, "
                        + (config.checkpoint() == null ? "no checkpoint was configured" : "last good checkpoint kept at " + config.checkpoint()));
            }
            collector.backward(value);
        }
        // Adam and the EMA update leaf tensors in place, which autograd forbids; grad mode is per thread and
        // defaults to on in threads the engine did not start, so switch it off explicitly.
        JniUtils.setGradMode(false);
        for (Pair<String, Parameter> p : network.getParameters()) {
            NDArray w = p.getValue().getArray();
            try (NDArray gradient = w.getGradient()) {
                adam.update(p.getValue().getId(), w, gradient); // also zeroes the gradient
            }
        }
        average.update();
        step++;
        return loss;
    }

    /** Runs config.steps() steps with a progress line (Monitor.progress()); see train(data, monitor). */
    public float[] train(NDArray data) {
        return train(data, Monitor.progress());
    }

    /** Runs config.steps() steps, checkpointing the EMA weights, telling the monitor the loss; returns the loss per step. */
    public float[] train(NDArray data, Monitor monitor) {
        float[] losses = new float[config.steps()];
        Path checkpoint = config.checkpoint();
        monitor.start("train", config.steps());
        try {
            for (int i = 0; i < losses.length; i++) {
                losses[i] = step(data);
                if (checkpoint != null && ((i + 1) % config.checkpointEvery() == 0 || i + 1 == losses.length)) {
                    Checkpoint.save(ema, checkpoint);
                }
                monitor.step(i + 1, Double.NaN, null, String.format("loss=%.4f", losses[i]));
            }
        } finally {
            monitor.end();
        }
        return losses;
    }
}
