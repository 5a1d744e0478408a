package diffusion.train;

import ai.djl.engine.Engine;
import diffusion.report.Environment;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import diffusion.loss.SimpleLoss;
import diffusion.nn.EpsMlp;
import diffusion.process.ForwardProcess;
import diffusion.process.Shapes;
import diffusion.report.Progress;
import diffusion.schedule.NoiseSchedule;
import java.nio.file.Path;

/**
 * Trains an eps-network with L_simple (Ho et al., Algorithm 1): t ~ Uniform{1..T}, eps ~ N(0, I), a gradient
 * step of Adam on ||eps - eps_theta(x_t, t)||^2, then an EMA update of the weights. Each step runs in its own
 * NDScope so native memory stays flat; a NaN or infinite loss stops training before anything is overwritten.
 */
public final class EpsTrainer {

    private final EpsMlp network;
    private final EpsMlp ema;
    private final ForwardProcess forward;
    private final TrainingConfig config;
    private final Optimizer adam;
    private final Ema average;
    private final ParameterStore parameters;
    private int step;

    /** Initialises network (seeded by config.seed()) and its EMA copy in manager, which owns their weights. */
    public EpsTrainer(NDManager manager, EpsMlp network, NoiseSchedule schedule, TrainingConfig config) {
        this.network = network;
        this.forward = new ForwardProcess(schedule);
        this.config = config;
        Environment.seed(config.seed());
        network.initialize(manager);
        this.ema = network.sameArchitecture();
        ema.initialize(manager);
        this.average = new Ema(network, ema, config.emaDecay());
        this.adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) config.learningRate())).build();
        this.parameters = new ParameterStore(manager, false);
    }

    /** The network being optimised. */
    public EpsMlp network() {
        return network;
    }

    /** The exponential moving average of the network's weights (what one samples with). */
    public EpsMlp ema() {
        return ema;
    }

    /** Steps taken so far. */
    public int steps() {
        return step;
    }

    /** One optimisation step on a batch drawn from data (n, d); returns the batch's L_simple. */
    public float step(NDArray data) {
        Shapes.requireBatch("data", data, network.dim());
        float loss;
        try (NDScope scope = new NDScope(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDManager m = data.getManager();
            long n = data.getShape().get(0);
            NDArray x0 = data.get(m.randomInteger(0, n, new Shape(config.batchSize()), DataType.INT64));
            int T = forward.schedule().T();
            NDArray t = m.randomInteger(1, T + 1, new Shape(config.batchSize()), DataType.INT64); // t ~ U{1..T}
            NDArray eps = m.randomNormal(x0.getShape());
            NDArray value = SimpleLoss.compute(network, parameters, forward, x0, t, eps);
            loss = value.getFloat();
            if (!Float.isFinite(loss)) {
                throw new TrainingDivergedException(step + 1, loss, config.checkpoint());
            }
            collector.backward(value);
        }
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

    /** Runs config.steps() steps with a progress line, checkpointing the EMA weights; returns the loss per step. */
    public float[] train(NDArray data) {
        float[] losses = new float[config.steps()];
        Path checkpoint = config.checkpoint();
        try (Progress progress = new Progress("train", config.steps())) {
            for (int i = 0; i < losses.length; i++) {
                losses[i] = step(data);
                if (checkpoint != null && ((i + 1) % config.checkpointEvery() == 0 || i + 1 == losses.length)) {
                    Checkpoint.save(ema, checkpoint);
                }
                progress.update(i + 1, String.format("loss=%.4f", losses[i]));
            }
        }
        return losses;
    }
}
