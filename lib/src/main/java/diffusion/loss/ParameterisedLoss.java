package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.nn.TimeConditioning;
import diffusion.nn.TimeNetwork;
import diffusion.schedule.PerturbationKernel;
import diffusion.score.Parameterisation;

/**
 * The denoising regression of a network that predicts in parameterisation P (eps, x_0, v or the score) on a continuous
 * kernel: E_{t ~ U[tMin, tMax]} E_{x_0, eps} w_P(t) ||P_theta(x_t, tau(t)) - P(x_0, eps)||^2 with
 * x_t = m(t) x_0 + s(t) eps, the target P = a(t) x_0 + b(t) eps (Parameterisation.targetCoefficients) and the weight
 * w_P = 1 / c_P(t)^2 (Parameterisation.lossWeight with w_eps = 1), under which every P's loss is the same function of
 * the implied noise prediction, E ||eps_hat - eps||^2: the parameterisations then differ only in what the network has
 * to output, which is what a parameterisation ablation compares. The network reads tau(t) (nn/TimeConditioning), the
 * same tau that score/NetworkScoreModel feeds it at inference.
 */
public final class ParameterisedLoss {

    private ParameterisedLoss() {
    }

    /**
     * The objective for network predicting target on kernel (continuous) with t ~ U[tMin, tMax] per row,
     * 0 &lt;= tMin &lt; tMax with s(tMin) &gt; 0 and m(tMax) &gt; 0, eps ~ N(0, I), both from the engine's seeded generator.
     */
    public static Objective objective(TimeNetwork network, Parameterisation target, PerturbationKernel kernel, double tMin,
            TimeConditioning conditioning) {
        Arguments.nonNull("network", network);
        Arguments.nonNull("target", target);
        Arguments.nonNull("conditioning", conditioning);
        if (Arguments.nonNull("kernel", kernel).discrete()) {
            throw new IllegalArgumentException("kernel " + kernel + " is discrete: this objective draws continuous t ~ U[tMin, tMax]");
        }
        double tMax = kernel.tMax();
        if (!(kernel.requireTime("tMin", tMin) < tMax && kernel.std(tMin) > 0 && kernel.meanScale(tMax) > 0)) {
            throw new IllegalArgumentException("tMin = " + tMin + ": need tMin < tMax = " + tMax + ", s(tMin) > 0 and m(tMax) > 0 (the weights"
                    + " and targets are finite there)");
        }
        return (parameters, x0) -> {
            NDManager manager = x0.getManager();
            int n = Math.toIntExact(x0.getShape().get(0));
            float[] u = manager.randomUniform(0, 1, new Shape(n)).toFloatArray();
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = tMin + (tMax - tMin) * u[i]; // t ~ U[tMin, tMax]
            }
            return compute(network, parameters, target, kernel, conditioning, x0, t, manager.randomNormal(0, 1, x0.getShape(), x0.getDataType()));
        };
    }

    /** The batch estimate mean_i w_P(t_i) ||P_theta(x_t,i, tau(t_i)) - P_i||^2 for given times t (one per row) and noise eps. */
    public static NDArray compute(TimeNetwork network, ParameterStore parameters, Parameterisation target, PerturbationKernel kernel,
            TimeConditioning conditioning, NDArray x0, double[] t, NDArray eps) {
        Arguments.requireSame("x0", x0, "eps", eps);
        int n = t.length;
        double[] m = new double[n], s = new double[n], a = new double[n], b = new double[n], w = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = kernel.meanScale(t[i]);
            s[i] = kernel.std(t[i]);
            double[] ab = target.targetCoefficients(kernel, t[i]);
            a[i] = ab[0];
            b[i] = ab[1];
            w[i] = target.lossWeight(1, kernel, t[i]); // w_P = 1 / c_P^2
        }
        NDArray xt = x0.mul(Scalar.rows(x0, m)).add(eps.mul(Scalar.rows(x0, s))); // x_t = m x_0 + s eps
        NDArray truth = x0.mul(Scalar.rows(x0, a)).add(eps.mul(Scalar.rows(x0, b))); // P = a x_0 + b eps
        NDArray tau = conditioning.input(x0.getManager().create(t)).toType(x0.getDataType(), false);
        NDArray out = network.forward(parameters, new NDList(xt, tau), true).head();
        long channels = network.sampleShape().get(0);
        NDArray predicted = out.getShape().get(1) == channels ? out : out.get(":, 0:" + channels);
        NDArray squared = predicted.sub(truth).square().reshape(n, -1).sum(new int[] {1}); // ||P_theta - P||^2 per row
        return squared.mul(Scalar.rows(squared, w)).mean();
    }
}
