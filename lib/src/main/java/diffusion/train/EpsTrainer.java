package diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.guidance.NetworkConditional;
import diffusion.loss.DenoisingScoreMatching;
import diffusion.loss.Objective;
import diffusion.loss.SimpleLoss;
import diffusion.loss.TrainableScore;
import diffusion.nn.TimeConditioning;
import diffusion.nn.TimeNetwork;
import diffusion.process.ForwardProcess;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.score.NetworkScoreModel;
import diffusion.score.ScoreModel;
import diffusion.sde.Sde;
import java.util.function.Function;

/**
 * An eps-network N (any TimeNetwork: nn/EpsMlp for vectors, nn/UNet for images) trained, seeded, with Adam and an
 * EMA of the weights, on data of the network's sample shape, on one of two objectives: Ho et al.'s
 * Algorithm 1, L_simple with t ~ Uniform{1..T} over a discrete schedule; or its continuous-time form under an SDE,
 * E_{t ~ U[tMin, T]} E ||eps - eps_theta(x_t, tau(t))||^2 (continuous DSM with lambda(t) = s(t)^2, Song et al. 2021),
 * with the network reading the log noise level tau = log sigma(t) (nn/TimeConditioning.logSigma). Both losses sum
 * the squared error over every non-batch axis. A thin composition of Trainer and the loss. A class-conditional network
 * (inputs (x_t, t, y), y = K meaning no label) trains on L_simple with label dropout (LabelDropout) from labelled
 * data (train(data, labels)) and is sampled through conditionalModel().
 *
 * @param <N> the network's type (what network() and ema() return)
 */
public final class EpsTrainer<N extends TimeNetwork> {

    private final N network;
    private final N ema;
    private final PerturbationKernel kernel;
    private final TimeConditioning conditioning;
    private final Trainer trainer;
    private final LabelDropout dropout; // null for an unconditional network

    /** L_simple over schedule. Initialises network (seeded by config.seed()) and its EMA copy in manager, which owns their weights. */
    public EpsTrainer(NDManager manager, N network, NoiseSchedule schedule, TrainingConfig config) {
        this(nonNull(manager, network, "schedule", schedule, config), network, schedule, TimeConditioning.KERNEL_TIME, config, null, net -> SimpleLoss.objective(net, new ForwardProcess(schedule)));
    }

    /**
     * Class-conditional L_simple over schedule (Ho and Salimans' classifier-free training): the network reads
     * (x_t, t, y') with y' = K in place of the row's label y with probability dropout.probability(), else y; train with
     * train(data, labels). Initialises as above.
     */
    public EpsTrainer(NDManager manager, N network, NoiseSchedule schedule, TrainingConfig config, LabelDropout dropout) {
        this(nonNull(manager, network, "schedule", schedule, config), network, schedule, TimeConditioning.KERNEL_TIME, config, Arguments.nonNull("dropout", dropout),
                net -> SimpleLoss.objective(net, new ForwardProcess(schedule), rows -> {
                    NDList split = LabelledRows.split(rows, net.sampleShape());
                    return new NDList(split.get(0), dropout.apply(split.get(1))); // (x_0, y') with y' = K at rate p
                }));
    }

    /** Continuous DSM under sde with t ~ U[tMin, T], tMin in [0, T] with s(tMin) &gt; 0; initialises as above. */
    public EpsTrainer(NDManager manager, N network, Sde sde, double tMin, TrainingConfig config) {
        this(nonNull(manager, network, "sde", sde, config), network, sde, TimeConditioning.logSigma(sde), config, sde.requireTime("tMin", tMin));
    }

    /**
     * Continuous DSM under sde as above, with the network reading tau(t) = conditioning (in the loss and in
     * scoreModel() alike) instead of log sigma(t): e.g. the former tau = 1000 t, for a before/after comparison.
     */
    public EpsTrainer(NDManager manager, N network, Sde sde, double tMin, TimeConditioning conditioning, TrainingConfig config) {
        this(nonNull(manager, network, "sde", sde, config), network, sde, Arguments.nonNull("conditioning", conditioning), config, sde.requireTime("tMin", tMin));
    }

    /** As above with the network reading tau(t) = conditioning in the loss and in scoreModel() alike. */
    private EpsTrainer(NDManager manager, N network, Sde sde, TimeConditioning conditioning, TrainingConfig config, double tMin) {
        this(manager, network, sde, conditioning, config, null, continuous(sde, conditioning, tMin));
    }

    /** The manager, after refusing a null manager, network, kernel (named as the caller's parameter) or config. */
    private static NDManager nonNull(NDManager manager, TimeNetwork network, String kernelName, PerturbationKernel kernel, TrainingConfig config) {
        Arguments.allNonNull("manager, network, " + kernelName + ", config", manager, network, kernel, config);
        return manager;
    }

    @SuppressWarnings("unchecked") // sameArchitecture() is of the network's class (TimeNetwork's contract), checked below
    private EpsTrainer(NDManager manager, N network, PerturbationKernel kernel, TimeConditioning conditioning,
            TrainingConfig config, LabelDropout dropout, Function<TimeNetwork, Objective> objective) {
        Arguments.nonNull("network", network);
        Environment.seed(config.seed());
        network.initialize(manager);
        this.network = network;
        TimeNetwork copy = network.sameArchitecture();
        if (copy.getClass() != network.getClass()) {
            throw new IllegalStateException(network.getClass().getName() + ".sameArchitecture() returned a " + copy.getClass().getName());
        }
        this.ema = (N) copy;
        ema.initialize(manager);
        this.kernel = kernel;
        this.conditioning = conditioning;
        this.dropout = dropout;
        this.trainer = new Trainer(manager, network, ema, objective.apply(network), config);
    }

    /** E_{t ~ U[tMin, T]} s(t)^2 E ||s_theta + eps / s(t)||^2 = E ||eps - eps_theta(x_t, tau(t))||^2 (lambda = s^2). */
    private static Function<TimeNetwork, Objective> continuous(Sde sde, TimeConditioning conditioning, double tMin) {
        return net -> DenoisingScoreMatching.continuous(TrainableScore.fromEpsilon(net, conditioning), sde, tMin, sde.T(),
                t -> sde.std(t) * sde.std(t));
    }

    /** The EMA network seen as a ScoreModel of the kernel it was trained on (what samplers take). */
    public ScoreModel scoreModel() {
        return new NetworkScoreModel(ema, kernel, conditioning);
    }

    /**
     * The EMA network as a class-conditional model (label y, or the null label K for the unconditional model); only
     * for a trainer built with a LabelDropout.
     */
    public NetworkConditional conditionalModel() {
        if (dropout == null) {
            throw new IllegalStateException("this trainer trains an unconditional network: build it with a LabelDropout");
        }
        return new NetworkConditional(ema, dropout.classes(), kernel, conditioning);
    }

    /** The network being optimised. */
    public N network() {
        return network;
    }

    /** The exponential moving average of the network's weights (what one samples with). */
    public N ema() {
        return ema;
    }

    /**
     * One optimisation step on a batch drawn from data (n, sampleShape...) (the network's sample shape: (n, d) or
     * (n, C, H, W)); returns the batch loss.
     */
    public float step(NDArray data) {
        requireUnlabelled();
        Arguments.requireSamples("data", data, network.sampleShape());
        return trainer.step(data);
    }

    /** One step of a class-conditional trainer on labelled data (n, sampleShape...) with labels (n,) in 0..K-1. */
    public float step(NDArray data, NDArray labels) {
        try (NDArray rows = rows(data, labels)) {
            return trainer.step(rows);
        }
    }

    /**
     * Runs config.steps() steps with a progress line, checkpointing the EMA weights; returns the loss per step. data
     * (n, sampleShape...) is checked against the network's sample shape before the first step; put it on the training
     * device once (batches are drawn there).
     */
    public float[] train(NDArray data) {
        requireUnlabelled();
        Arguments.requireSamples("data", data, network.sampleShape());
        return trainer.train(data);
    }

    /**
     * config.steps() steps of a class-conditional trainer on data (n, sampleShape...) with integer labels (n,) in
     * 0..K-1 (both checked first), as train(data); returns the loss per step.
     */
    public float[] train(NDArray data, NDArray labels) {
        try (NDArray rows = rows(data, labels)) {
            return trainer.train(rows);
        }
    }

    /** The packed rows [x, y] of labelled data, for a conditional trainer. */
    private NDArray rows(NDArray data, NDArray labels) {
        if (dropout == null) {
            throw new IllegalStateException("labels were given to a trainer of an unconditional network: build it with a LabelDropout");
        }
        Arguments.nonNull("labels", labels);
        return LabelledRows.pack(data, labels, network.sampleShape(), dropout.classes());
    }

    private void requireUnlabelled() {
        if (dropout != null) {
            throw new IllegalStateException("this trainer is class-conditional: train it with train(data, labels)");
        }
    }
}
