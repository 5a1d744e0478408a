package diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.loss.SimpleLoss;
import diffusion.nn.EpsMlp;
import diffusion.process.ForwardProcess;
import diffusion.process.Shapes;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;

/**
 * Ho et al.'s Algorithm 1: an eps-network trained with L_simple (t ~ Uniform{1..T}, eps ~ N(0, I)), seeded,
 * with Adam and an EMA of the weights. A thin composition of Trainer and SimpleLoss.
 */
public final class EpsTrainer {

    private final EpsMlp network;
    private final EpsMlp ema;
    private final Trainer trainer;

    /** Initialises network (seeded by config.seed()) and its EMA copy in manager, which owns their weights. */
    public EpsTrainer(NDManager manager, EpsMlp network, NoiseSchedule schedule, TrainingConfig config) {
        Environment.seed(config.seed());
        network.initialize(manager);
        this.network = network;
        this.ema = network.sameArchitecture();
        ema.initialize(manager);
        this.trainer = new Trainer(manager, network, ema, SimpleLoss.objective(network, new ForwardProcess(schedule)), config);
    }

    /** The network being optimised. */
    public EpsMlp network() {
        return network;
    }

    /** The exponential moving average of the network's weights (what one samples with). */
    public EpsMlp ema() {
        return ema;
    }

    /** One optimisation step on a batch drawn from data (n, d); returns the batch's L_simple. */
    public float step(NDArray data) {
        Shapes.requireBatch("data", data, network.dim());
        return trainer.step(data);
    }

    /** Runs config.steps() steps with a progress line, checkpointing the EMA weights; returns the loss per step. */
    public float[] train(NDArray data) {
        Shapes.requireBatch("data", data, network.dim());
        return trainer.train(data);
    }
}
