package diffusion.loss;

import diffusion.Arguments;
import java.util.SplittableRandom;

/** t ~ Uniform{1..T}: p_t = 1/T, seeded. */
public final class UniformTimeSampler implements TimeSampler {

    private final int T;
    private final SplittableRandom random;

    public UniformTimeSampler(int T, long seed) {
        this.T = Arguments.size("T", T, 1);
        this.random = new SplittableRandom(seed);
    }

    /** n draws of t ~ Uniform{1..T}, each with p_t = 1/T. */
    @Override
    public Draw draw(int n) {
        Arguments.size("n", n, 1);
        long[] t = new long[n];
        double[] probability = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1 + random.nextInt(T);
            probability[i] = 1.0 / T;
        }
        return new Draw(t, probability);
    }
}
