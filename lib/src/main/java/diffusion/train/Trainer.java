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
import diffusion.Arguments;
import diffusion.DivergedException;
import diffusion.Monitor;
import diffusion.loss.Objective;
import diffusion.report.AtomicFile;
import diffusion.report.Environment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Minimises an Objective with Adam: each step draws a batch of rows from the data, takes a gradient step, and
 * updates an exponential moving average of the weights held in a shadow network of the same architecture.
 * Each step runs in its own NDScope so native memory stays flat.
 *
 * <p>Reproducible: before every step the engine's generator is re-seeded from (config.seed(), step index), so the
 * batches and the objective's draws depend on the seed and the step alone, not on what else drew from the engine.
 *
 * <p>Never keeps a bad checkpoint: each step checks the loss, then the gradients, the updated weights and the EMA
 * for NaN and infinities, and stops with a DivergedException at the first non-finite one. A checkpoint of the EMA
 * after step k is written only once the network of step k has given a finite loss on a fresh batch (the loss of
 * step k + 1, or one more evaluation after the last step), so an update that explodes to huge but finite weights
 * is not kept either. The message of a stop says which checkpoint, if any, this run wrote.
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
    private int checkpointed;

    /** network and ema must be initialised (same architecture); the EMA starts at the network's weights. */
    public Trainer(NDManager manager, Block network, Block ema, Objective objective, TrainingConfig config) {
        Arguments.nonNull("manager", manager);
        Arguments.nonNull("network", network);
        Arguments.nonNull("ema", ema);
        Arguments.nonNull("objective", objective);
        Arguments.nonNull("config", config);
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
        requireRows(data);
        float loss = lossAndGradients(data);
        update();
        return loss;
    }

    /** Runs config.steps() steps with a progress line (Monitor.progress()); see train(data, monitor). */
    public float[] train(NDArray data) {
        return train(data, Monitor.progress());
    }

    /**
     * Runs config.steps() steps, checkpointing the EMA weights, telling the monitor the loss; returns the loss per step.
     * Before the first step it refuses data with NaN or infinite entries and a checkpoint path that cannot be written.
     */
    public float[] train(NDArray data, Monitor monitor) {
        Arguments.nonNull("monitor", monitor);
        requireRows(data);
        Arguments.finite("data", data);
        Path checkpoint = config.checkpoint();
        if (checkpoint != null) {
            AtomicFile.requireWritable("config.checkpoint()", checkpoint);
        }
        float[] losses = new float[config.steps()];
        boolean pending = false;
        monitor.start("train", config.steps());
        try {
            for (int i = 0; i < losses.length; i++) {
                losses[i] = lossAndGradients(data);
                if (pending) { // the network the EMA averages has just given a finite loss: the EMA may be kept
                    save(checkpoint);
                }
                update();
                pending = checkpoint != null && ((i + 1) % config.checkpointEvery() == 0 || i + 1 == losses.length);
                monitor.step(i + 1, Double.NaN, null, String.format("loss=%.4f", losses[i]));
            }
            if (pending) {
                confirmFiniteLoss(data);
                save(checkpoint);
            }
        } finally {
            monitor.end();
        }
        return losses;
    }

    /** Seeds the engine for step + 1, computes the batch loss, refuses a non-finite one, and back-propagates it. */
    private float lossAndGradients(NDArray data) {
        Environment.seed(stepSeed(step + 1));
        try (NDScope scope = new NDScope(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray value = batchLoss(data, step + 1);
            collector.backward(value);
            return value.getFloat();
        }
    }

    /** The objective on a batch of config.batchSize() rows of data; DivergedException (naming step) if not finite. */
    private NDArray batchLoss(NDArray data, int at) {
        NDManager m = data.getManager();
        NDArray rows = m.randomInteger(0, data.getShape().get(0), new Shape(config.batchSize()), DataType.INT64);
        NDArray value = objective.loss(parameters, data.get(rows));
        float loss = value.getFloat();
        if (!Float.isFinite(loss)) {
            throw stopped(at, "loss = " + loss);
        }
        return value;
    }

    /**
     * Refuses non-finite gradients (weights untouched), takes the Adam step, refuses non-finite weights, updates
     * the EMA and refuses a non-finite EMA; counts the step.
     */
    private void update() {
        // Adam and the EMA update leaf tensors in place, which autograd forbids; grad mode is per thread and
        // defaults to on in threads the engine did not start, so switch it off explicitly.
        JniUtils.setGradMode(false);
        requireFinite("gradient", network, NDArray::getGradient);
        for (Pair<String, Parameter> p : network.getParameters()) {
            NDArray w = p.getValue().getArray();
            try (NDArray gradient = w.getGradient()) {
                adam.update(p.getValue().getId(), w, gradient); // also zeroes the gradient
            }
        }
        average.update();
        if (!finite(network, w -> w) || !finite(ema, w -> w)) { // one check of both; the slow path names the culprit
            requireFinite("updated weight", network, w -> w);
            requireFinite("EMA weight", ema, w -> w);
        }
        step++;
    }

    /** One more loss evaluation (no gradients) of the current network, so that the last checkpoint is confirmed too. */
    private void confirmFiniteLoss(NDArray data) {
        Environment.seed(stepSeed(step + 1));
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            batchLoss(data, step + 1);
        }
    }

    /** Whether every array view(parameter) of block is finite, with one synchronisation. */
    private static boolean finite(Block block, Function<NDArray, NDArray> view) {
        try (NDScope scope = new NDScope()) {
            NDArray total = null; // sum over arrays of sum(a - a): exactly 0 when all entries are finite, NaN otherwise
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray a = view.apply(p.getValue().getArray());
                NDArray zero = a.sub(a).sum();
                total = total == null ? zero : total.add(zero);
            }
            return total == null || Float.isFinite(total.getFloat());
        }
    }

    /** DivergedException at step + 1 unless every array view(parameter) of block is finite, naming the first bad one. */
    private void requireFinite(String what, Block block, Function<NDArray, NDArray> view) {
        if (finite(block, view)) {
            return;
        }
        try (NDScope scope = new NDScope()) {
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (!Arguments.allFinite(view.apply(p.getValue().getArray()))) {
                    throw stopped(step + 1, what + " " + p.getKey() + " has NaN or infinite entries");
                }
            }
        }
    }

    private DivergedException stopped(int at, String cause) {
        Path checkpoint = config.checkpoint();
        String kept;
        if (checkpoint == null) {
            kept = "no checkpoint was configured";
        } else if (checkpointed > 0) {
            kept = "last good checkpoint (the EMA after step " + checkpointed + ") kept at " + checkpoint;
        } else if (Files.exists(checkpoint)) {
            kept = "this run wrote no checkpoint; the file at " + checkpoint + " is from an earlier run and was left untouched";
        } else {
            kept = "this run wrote no checkpoint (none exists at " + checkpoint + ")";
        }
        return new DivergedException("training", at, Double.NaN, cause + "; training was stopped, " + kept);
    }

    /** Writes the EMA to checkpoint after checking it once more: a checkpoint with a non-finite weight is never written. */
    private void save(Path checkpoint) {
        requireFinite("EMA weight", ema, w -> w);
        Checkpoint.save(ema, checkpoint);
        checkpointed = step;
    }

    /** The engine seed of a step: config.seed() and the 1-based step index, mixed (SplittableRandom's mix64). */
    private long stepSeed(int at) {
        return new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + at).nextLong();
    }

    private static void requireRows(NDArray data) {
        Arguments.nonNull("data", data);
        if (data.getShape().dimension() < 2 || data.getShape().get(0) < 1) {
            throw new IllegalArgumentException("data has shape " + data.getShape() + ": expected (n, d...) with n >= 1");
        }
    }
}
