package diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.guidance.NoisyClassifier;
import diffusion.loss.CrossEntropy;
import diffusion.loss.Objective;
import diffusion.nn.TimeConditioning;
import diffusion.nn.TimeNetwork;
import diffusion.process.ForwardProcess;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;

/**
 * A time-dependent classifier p_t(y | x_t) trained on noisy data, the classifier of classifier guidance (Dhariwal and
 * Nichol 2021; lecture 001's conditional sampling): per row t ~ Uniform{1..T}, x_t = sqrt(alphaBar_t) x_0
 * + sqrt(1 - alphaBar_t) eps, and the cross-entropy -(1/n) sum_i log softmax(f(x_t,i, t_i))_{y_i}, with Adam and an EMA
 * of the weights (Trainer over packed rows [x_0, y], as train/ClassifierTrainer). The network is any TimeNetwork whose
 * output is K logits (n, K): for vectors an nn/EpsMlp with K outputs reads (x_t, t) as an eps network does.
 */
public final class NoisyClassifierTrainer {

    private final TimeNetwork network;
    private final TimeNetwork ema;
    private final int classes;
    private final Trainer trainer;

    /** Initialises network (seeded by config.seed()) and its EMA copy in manager, for K = classes &gt;= 2 labels. */
    public NoisyClassifierTrainer(NDManager manager, TimeNetwork network, int classes, NoiseSchedule schedule, TrainingConfig config) {
        Arguments.allNonNull("manager, network, schedule, config", manager, network, schedule, config);
        this.classes = Arguments.atLeast("classes", classes, 2);
        Environment.seed(config.seed());
        network.initialize(manager);
        this.network = network;
        this.ema = network.sameArchitecture();
        ema.initialize(manager);
        this.trainer = new Trainer(manager, network, ema, objective(network, new ForwardProcess(schedule)), config);
    }

    /** The cross-entropy of the network on x_t at t ~ U{1..T} per row, from packed rows [x_0, y]. */
    private static Objective objective(TimeNetwork network, ForwardProcess forward) {
        int T = forward.schedule().T();
        return (parameters, rows) -> {
            NDList split = LabelledRows.split(rows, network.sampleShape());
            NDArray x0 = split.get(0);
            NDManager m = x0.getManager();
            NDArray t = m.randomInteger(1, T + 1, new Shape(x0.getShape().get(0)), DataType.INT64); // t ~ U{1..T}
            NDArray xt = forward.sample(x0, t, m.randomNormal(x0.getShape()));
            return CrossEntropy.of(network.forward(parameters, new NDList(xt, t), true).head(), split.get(1));
        };
    }

    /** config.steps() steps on data (n, sampleShape...) with integer labels (n,) in 0..K-1; returns the loss per step. */
    public float[] train(NDArray data, NDArray labels) {
        try (NDArray rows = LabelledRows.pack(data, labels, network.sampleShape(), classes)) {
            return trainer.train(rows);
        }
    }

    /** The EMA network as p_t(y | x_t), reading the kernel's own time t (as it was trained). */
    public NoisyClassifier classifier() {
        return new NoisyClassifier(ema, network.sampleShape(), classes, TimeConditioning.KERNEL_TIME);
    }

    /** The network being optimised. */
    public TimeNetwork network() {
        return network;
    }
}
