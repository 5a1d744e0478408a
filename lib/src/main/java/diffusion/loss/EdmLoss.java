package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.nn.TimeNetwork;
import diffusion.score.EdmPreconditioning;

/**
 * Karras et al.'s (2022, EDM) training objective: E_{sigma, x_0, n} lambda(sigma) ||D_theta(x_0 + sigma n; sigma) - x_0||^2
 * with ln sigma ~ N(P_mean, P_std^2), n ~ N(0, I), D the preconditioned network (score/EdmPreconditioning) and
 * lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2. It needs no kernel: the trained F serves any kernel
 * through score/EdmModel. EDM's image settings are P_mean = -1.2, P_std = 1.2.
 */
public final class EdmLoss {

    private EdmLoss() {
    }

    /** The objective for network F under preconditioning, ln sigma ~ N(pMean, pStd^2) (pStd &gt; 0), from the engine's seeded generator. */
    public static Objective objective(TimeNetwork network, EdmPreconditioning preconditioning, double pMean, double pStd) {
        Arguments.nonNull("network", network);
        Arguments.nonNull("preconditioning", preconditioning);
        if (!Double.isFinite(pMean)) {
            throw new IllegalArgumentException("P_mean = " + pMean + " must be finite");
        }
        Arguments.positive("P_std", pStd);
        double low = Math.exp(pMean - 6 * pStd);
        double high = Math.exp(pMean + 6 * pStd); // ln sigma within 6 P_std of P_mean: all but 2e-9 of the draws
        if (!(1 / (low * low) < Double.POSITIVE_INFINITY) || !(high * high < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("P_mean = " + pMean + ", P_std = " + pStd + ": sigma = exp(P_mean +- 6 P_std) reaches ["
                    + low + ", " + high + "], where lambda(sigma) or sigma^2 leaves the range of a double");
        }
        return (parameters, x0) -> {
            NDManager manager = x0.getManager();
            float[] normal = manager.randomNormal(new Shape(x0.getShape().get(0))).toFloatArray();
            double[] sigma = new double[normal.length];
            for (int i = 0; i < sigma.length; i++) {
                sigma[i] = Math.exp(pMean + pStd * normal[i]); // ln sigma ~ N(P_mean, P_std^2)
            }
            return compute(network, parameters, preconditioning, x0, sigma, manager.randomNormal(0, 1, x0.getShape(), x0.getDataType()));
        };
    }

    /** The batch estimate mean_i lambda(sigma_i) ||D_theta(x_0,i + sigma_i n_i; sigma_i) - x_0,i||^2 for given sigma and n. */
    public static NDArray compute(TimeNetwork network, ParameterStore parameters, EdmPreconditioning preconditioning, NDArray x0,
            double[] sigma, NDArray noise) {
        Arguments.requireSame("x0", x0, "noise", noise);
        int n = sigma.length;
        for (int i = 0; i < n; i++) {
            Arguments.finiteResult("sigma[" + i + "]", Arguments.positive("sigma[" + i + "]", sigma[i]), "1 / sigma^2", 1 / (sigma[i] * sigma[i]));
        }
        Arguments.finite("x0", x0);
        Arguments.finite("noise", noise);
        NDArray y = x0.add(noise.mul(Scalar.rows(x0, sigma))); // y = x_0 + sigma n
        Arguments.finiteRows("sigma", sigma, "x_0 + sigma n", y);
        NDArray denoised = preconditioning.denoise(network, parameters, y, sigma, true);
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            lambda[i] = preconditioning.lossWeight(sigma[i]);
        }
        NDArray squared = denoised.sub(x0).square().reshape(n, -1).sum(new int[] {1}); // ||D - x_0||^2 per row
        return squared.mul(Scalar.rows(squared, lambda)).mean();
    }
}
