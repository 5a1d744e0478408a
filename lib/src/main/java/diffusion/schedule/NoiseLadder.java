package diffusion.schedule;

import java.util.Arrays;

/**
 * The NCSN noise ladder sigma_1 &gt; sigma_2 &gt; ... &gt; sigma_L &gt; 0 (Song and Ermon 2019), seen as a perturbation
 * kernel over the level index i = 1..L: x_i = x_0 + sigma_i eps, so m(i) = 1 and s(i) = sigma_i. Level 1 is the
 * noisiest; annealed Langevin dynamics walks i = 1..L.
 */
public final class NoiseLadder implements PerturbationKernel {

    private final double[] sigmas;

    private NoiseLadder(double[] sigmas) {
        if (sigmas.length < 1) {
            throw new IllegalArgumentException("sigmas has length 0: the noise ladder needs at least one level");
        }
        for (int i = 0; i < sigmas.length; i++) {
            if (!(sigmas[i] > 0) || Double.isInfinite(sigmas[i])) {
                throw new IllegalArgumentException("sigma_" + (i + 1) + " = " + sigmas[i] + ": must be finite and > 0");
            }
            if (i > 0 && !(sigmas[i] < sigmas[i - 1])) {
                throw new IllegalArgumentException("sigma_" + (i + 1) + " = " + sigmas[i] + ": must be < sigma_" + i
                        + " = " + sigmas[i - 1] + " (the ladder decreases strictly)");
            }
        }
        this.sigmas = sigmas.clone();
    }

    /** The ladder sigma_1 &gt; ... &gt; sigma_L given explicitly (finite, positive, strictly decreasing, L &gt;= 1). */
    public static NoiseLadder of(double... sigmas) {
        return new NoiseLadder(sigmas);
    }

    /**
     * The geometric ladder sigma_i = sigmaMax (sigmaMin / sigmaMax)^((i - 1) / (L - 1)), i = 1..L, from
     * sigmaMax &gt; sigmaMin &gt; 0 in L &gt;= 2 levels.
     */
    public static NoiseLadder geometric(double sigmaMax, double sigmaMin, int levels) {
        if (levels < 2) {
            throw new IllegalArgumentException("levels = " + levels + ": a geometric ladder needs >= 2 levels");
        }
        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || Double.isInfinite(sigmaMax)) {
            throw new IllegalArgumentException("sigmaMax = " + sigmaMax + ", sigmaMin = " + sigmaMin
                    + ": need finite sigmaMax > sigmaMin > 0");
        }
        double[] sigmas = new double[levels];
        for (int i = 0; i < levels; i++) {
            sigmas[i] = sigmaMax * Math.pow(sigmaMin / sigmaMax, (double) i / (levels - 1)); // geometric interpolation
        }
        sigmas[levels - 1] = sigmaMin;
        return new NoiseLadder(sigmas);
    }

    /** L, the number of levels. */
    public int levels() {
        return sigmas.length;
    }

    /** sigma_i for i = 1..L. */
    public double sigma(int i) {
        if (i < 1 || i > sigmas.length) {
            throw new IllegalArgumentException("i = " + i + ": the level must lie in [1, " + sigmas.length + "]");
        }
        return sigmas[i - 1];
    }

    /** sigma_1..sigma_L (a copy). */
    public double[] sigmas() {
        return sigmas.clone();
    }

    /** m(i) = 1: the ladder adds noise without shrinking the data (variance exploding). */
    @Override
    public double meanScale(double i) {
        level(i);
        return 1;
    }

    /** s(i) = sigma_i for an integer level i in [1, L]. */
    @Override
    public double std(double i) {
        return sigmas[level(i) - 1];
    }

    private int level(double i) {
        if (i != Math.rint(i) || i < 1 || i > sigmas.length) {
            throw new IllegalArgumentException("i = " + i + ": the level must be an integer in [1, " + sigmas.length + "]");
        }
        return (int) i;
    }

    @Override
    public String toString() {
        return "NoiseLadder" + Arrays.toString(sigmas);
    }
}
