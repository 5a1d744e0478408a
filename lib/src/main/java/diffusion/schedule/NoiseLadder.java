package diffusion.schedule;

import diffusion.Arguments;
import java.util.Arrays;

/**
 * The NCSN noise ladder sigma_1 &gt; sigma_2 &gt; ... &gt; sigma_L &gt; 0 (Song and Ermon 2019), seen as a discrete
 * perturbation kernel x_t = x_0 + s(t) eps (m = 1) whose time counts the levels from the cleanest up, as for every
 * kernel (noise grows with t): s(0) = 0 (the data) and s(t) = sigma_{L + 1 - t} for t = 1..L, so t = L is the
 * noisiest level sigma_1. Annealed Langevin dynamics walks t = L..1, i.e. levels i = 1..L.
 */
public final class NoiseLadder implements PerturbationKernel {

    private final double[] sigmas;

    private NoiseLadder(double[] sigmas) {
        Arguments.nonNull("sigmas", sigmas);
        if (sigmas.length < 1) {
            throw new IllegalArgumentException("sigmas has length 0: the noise ladder needs at least one level");
        }
        for (int i = 0; i < sigmas.length; i++) {
            if (!(sigmas[i] > 0) || !Double.isFinite(sigmas[i] * sigmas[i])) {
                throw new IllegalArgumentException("sigma_" + (i + 1) + " = " + sigmas[i] + ": must be > 0 with a finite square");
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
        Arguments.size("levels", levels, 2);
        if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || !Double.isFinite(sigmaMax * sigmaMax) || !(sigmaMin / sigmaMax > 0)) {
            throw new IllegalArgumentException("sigmaMax = " + sigmaMax + ", sigmaMin = " + sigmaMin
                    + ": need sigmaMax > sigmaMin > 0 with sigmaMax^2 finite and sigmaMin / sigmaMax > 0 in double precision");
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

    /** The kernel time of level i: t = L + 1 - i. */
    public int time(int level) {
        sigma(level);
        return sigmas.length + 1 - level;
    }

    /** m(t) = 1: the ladder adds noise without shrinking the data (variance exploding). */
    @Override
    public double meanScale(double t) {
        requireTime("t", t);
        return 1;
    }

    /** s(t) = sigma_{L + 1 - t} for an integer t in 1..L, s(0) = 0. */
    @Override
    public double std(double t) {
        int step = (int) requireTime("t", t);
        return step == 0 ? 0 : sigmas[sigmas.length - step];
    }

    /** L. */
    @Override
    public double tMax() {
        return sigmas.length;
    }

    @Override
    public boolean discrete() {
        return true;
    }

    @Override
    public String toString() {
        return "NoiseLadder" + Arrays.toString(sigmas);
    }
}
