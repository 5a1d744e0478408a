package diffusion.process;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Scalar;

/** KL divergence between diagonal Gaussians, the building block of every term of the variational bound. */
public final class GaussianKl {

    private GaussianKl() {
    }

    /**
     * KL(N(mu1, var1 I) || N(mu2, var2 I)) per row, summed over dimensions:
     * 1/2 sum_j [ log(var2/var1) + (var1 + (mu1_j - mu2_j)^2) / var2 - 1 ].
     */
    public static NDArray kl(NDArray mu1, double var1, NDArray mu2, double var2) {
        Arguments.requireSame("mu1", mu1, "mu2", mu2);
        requirePositive("var1", var1);
        requirePositive("var2", var2);
        long d = mu1.getShape().get(mu1.getShape().dimension() - 1);
        NDArray squared = mu1.sub(mu2).square().sum(new int[] {-1});
        double constant = d * (Math.log(var2 / var1) + var1 / var2 - 1.0);
        return Scalar.times(squared.div(var2).add(constant), 0.5);
    }

    /**
     * KL(N(mu1, diag exp(logVar1)) || N(mu2, diag exp(logVar2))) per row, summed over dimensions, with log-variances
     * that broadcast against the means (per row (n, 1) or per element (n, d)):
     * 1/2 sum_j [ logVar2_j - logVar1_j + (exp(logVar1_j) + (mu1_j - mu2_j)^2) / exp(logVar2_j) - 1 ].
     */
    public static NDArray kl(NDArray mu1, NDArray logVar1, NDArray mu2, NDArray logVar2) {
        Arguments.requireSame("mu1", mu1, "mu2", mu2);
        NDArray precision2 = logVar2.neg().exp(); // 1 / var2
        NDArray ratio = logVar1.exp().add(mu1.sub(mu2).square()).mul(precision2); // (var1 + (mu1 - mu2)^2) / var2
        return Scalar.times(logVar2.sub(logVar1).add(ratio).sub(1.0), 0.5).sum(new int[] {-1});
    }

    private static void requirePositive(String name, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(name + " = " + value + ": a variance must be > 0");
        }
    }
}
