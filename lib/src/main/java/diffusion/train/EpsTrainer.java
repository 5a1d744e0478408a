package diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
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
 * the squared error over every non-batch axis. A thin composition of Trainer and the loss.
 *
 * @param <N> the network's type (what network() and ema() return)
 */
public final class EpsTrainer<N extends TimeNetwork> {

    private final N network;
    private final N ema;
    private final PerturbationKernel kernel;
    private final TimeConditioning conditioning;
    private final Trainer trainer;

    /** L_simple over schedule. Initialises network (seeded by config.seed()) and its EMA copy in manager, which owns their weights. */
    public EpsTrainer(NDManager manager, N network, NoiseSchedule schedule, TrainingConfig config) {
        this(manager, network, schedule, TimeConditioning.KERNEL_TIME, config, net -> SimpleLoss.objective(net, new ForwardProcess(schedule)));
    }

    /** Continuous DSM under sde with t ~ U[tMin, T], tMin in [0, T] with s(tMin) &gt; 0; initialises as above. */
    public EpsTrainer(NDManager manager, N network, Sde sde, double tMin, TrainingConfig config) {
        this(manager, network, sde, TimeConditioning.logSigma(sde), config, sde.requireTime("tMin", tMin));
    }

    /**
     * Continuous DSM under sde as above, with the network reading tau(t) = conditioning (in the loss and in
     * scoreModel() alike) instead of log sigma(t): e.g. the former tau = 1000 t, for a before/after comparison.
     */
    public EpsTrainer(NDManager manager, N network, Sde sde, double tMin, TimeConditioning conditioning, TrainingConfig config) {
        this(manager, network, sde, Arguments.nonNull("conditioning", conditioning), config, sde.requireTime("tMin", tMin));
    }

    /** As above with the network reading tau(t) = conditioning in the loss and in scoreModel() alike. */
    private EpsTrainer(NDManager manager, N network, Sde sde, TimeConditioning conditioning, TrainingConfig config, double tMin) {
        this(manager, network, sde, conditioning, config, continuous(sde, conditioning, tMin));
    }

    @SuppressWarnings("unchecked") // sameArchitecture() is of the network's class (TimeNetwork's contract), checked below
    private EpsTrainer(NDManager manager, N network, PerturbationKernel kernel, TimeConditioning conditioning,
            TrainingConfig config, Function<TimeNetwork, Objective> objective) {
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
        Arguments.requireSamples("data", data, network.sampleShape());
        return trainer.step(data);
    }

    /**
     * Runs config.steps() steps with a progress line, checkpointing the EMA weights; returns the loss per step. data
     * (n, sampleShape...) is checked against the network's sample shape before the first step; put it on the training
     * device once (batches are drawn there).
     */
    public float[] train(NDArray data) {
        Arguments.requireSamples("data", data, network.sampleShape());
        return trainer.train(data);
    }
}
