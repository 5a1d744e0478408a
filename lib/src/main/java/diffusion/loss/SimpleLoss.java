package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.PerSample;
import diffusion.process.ForwardProcess;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ScoreModel;
import java.util.function.Function;

/**
 * Ho et al.'s simplified objective L_simple = E_{t, x_0, eps} || eps - eps_theta(sqrt(alphaBar_t) x_0
 * + sqrt(1 - alphaBar_t) eps, t) ||^2.
 */
public final class SimpleLoss {

    private SimpleLoss() {
    }

    /** L_simple as a training objective: per row t ~ Uniform{1..T} and eps ~ N(0, I), then the batch estimate. */
    public static Objective objective(Block network, ForwardProcess forward) {
        return objective(network, forward, NDList::new);
    }

    /**
     * L_simple of a conditional network: split turns a batch of training rows into NDList(x_0, c...), and the network
     * reads (x_t, t, c...) (c the labels of a class-conditional network, say); t and eps are drawn as above.
     */
    public static Objective objective(Block network, ForwardProcess forward, Function<NDArray, NDList> split) {
        Arguments.allNonNull("network, forward, split", network, forward, split);
        int T = forward.schedule().T();
        return (parameters, rows) -> {
            NDList inputs = split.apply(rows);
            NDArray x0 = inputs.head();
            NDManager m = x0.getManager();
            NDArray t = m.randomInteger(1, T + 1, new Shape(x0.getShape().get(0)), DataType.INT64); // t ~ U{1..T}
            return compute(network, parameters, forward, x0, t, m.randomNormal(x0.getShape()), inputs.subNDList(1));
        };
    }

    /**
     * The training estimate with one t per row: the batch mean of ||eps - eps_theta(x_t, t)||^2, the squared norm over
     * every non-batch axis (vectors (n, d) and images (n, C, H, W) alike), a scalar.
     */
    public static NDArray compute(
            Block network, ParameterStore parameters, ForwardProcess forward, NDArray x0, NDArray t, NDArray eps) {
        return compute(network, parameters, forward, x0, t, eps, new NDList());
    }

    /** As above for a network that reads (x_t, t, conditioning...), e.g. the labels of a class-conditional network. */
    public static NDArray compute(Block network, ParameterStore parameters, ForwardProcess forward, NDArray x0, NDArray t,
            NDArray eps, NDList conditioning) {
        Arguments.requireSame("x0", x0, "eps", eps);
        NDArray xt = forward.sample(x0, t, eps);
        NDList inputs = new NDList(xt, t);
        inputs.addAll(conditioning);
        NDArray predicted = network.forward(parameters, inputs, true).head();
        return PerSample.sum(eps.sub(predicted).square()).mean(); // mean_i ||eps_i - eps_theta||^2 over every non-batch axis
    }

    /**
     * L_t = mean_i ||eps_i - eps(x_t,i, t)||^2 for every t = 1..T (index t - 1), one fresh eps per row and step,
     * seeded; L_simple is the average over t. Works for any ScoreModel, so a network can be compared to the oracle.
     */
    public static double[] perStep(ScoreModel model, NoiseSchedule schedule, NDArray x0, long seed) {
        Arguments.requireSamples("x0", x0, model.sampleShape());
        ForwardProcess forward = new ForwardProcess(schedule);
        Environment.seed(seed);
        double[] loss = new double[schedule.T()];
        for (int t = 1; t <= schedule.T(); t++) {
            try (NDScope scope = new NDScope()) {
                NDArray eps = x0.getManager().randomNormal(x0.getShape());
                NDArray xt = forward.sample(x0, t, eps);
                loss[t - 1] = PerSample.sum(eps.sub(model.epsilon(xt, t)).square()).mean().getFloat();
            }
        }
        return loss;
    }
}
