package diffusion.loss;

import diffusion.Arguments;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Nichol and Dhariwal's importance sampling of t for L_vlb: keep the last HISTORY losses L_{t-1} seen at each t;
 * until every t has HISTORY of them, draw t uniformly (the warm-up); then draw
 * p_t proportional to sqrt(E[L_{t-1}^2]) over the history, mixed with the uniform law with weight UNIFORM_FLOOR
 * (as in their code) so that every p_t > 0 and the weighted estimate stays unbiased. Seeded.
 */
public final class ImportanceTimeSampler implements TimeSampler {

    /** Losses kept per step. */
    public static final int HISTORY = 10;

    /** Weight of the uniform law mixed into p. */
    public static final double UNIFORM_FLOOR = 1e-3;

    private final int T;
    private final SplittableRandom random;
    private final double[][] history; // history[t - 1]: the last HISTORY losses at t, oldest first
    private final int[] count; // losses recorded at t, capped at HISTORY

    public ImportanceTimeSampler(int T, long seed) {
        Arguments.derivedSize("T", Arguments.size("T", T, 1), "history entries", (long) T * HISTORY, Arguments.MAX_ENTRIES);
        this.T = T;
        this.random = new SplittableRandom(seed);
        this.history = new double[T][HISTORY];
        this.count = new int[T];
    }

    /** Whether every t has HISTORY recorded losses (the warm-up is over). */
    public boolean warm() {
        return Arrays.stream(count).allMatch(c -> c == HISTORY);
    }

    /** p_t for t = 1..T (index t - 1): 1/T during the warm-up, else (1 - f) sqrt(E L^2) / sum + f/T with f = UNIFORM_FLOOR. */
    public double[] probabilities() {
        double[] p = new double[T];
        if (!warm()) {
            Arrays.fill(p, 1.0 / T);
            return p;
        }
        double sum = 0;
        for (int t = 0; t < T; t++) {
            double squares = 0;
            for (double loss : history[t]) {
                squares += loss * loss;
            }
            p[t] = Math.sqrt(squares / HISTORY); // sqrt(E[L_t^2])
            sum += p[t];
        }
        for (int t = 0; t < T; t++) {
            p[t] = (1 - UNIFORM_FLOOR) * p[t] / sum + UNIFORM_FLOOR / T;
        }
        return p;
    }

    /** n draws t ~ p (inverse CDF), each with its p_t. */
    @Override
    public Draw draw(int n) {
        Arguments.size("n", n, 1);
        double[] p = probabilities();
        double[] cumulative = new double[T];
        double running = 0;
        for (int t = 0; t < T; t++) {
            running += p[t];
            cumulative[t] = running;
        }
        long[] steps = new long[n];
        double[] probability = new double[n];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble() * running;
            int index = Arrays.binarySearch(cumulative, u);
            index = Math.min(index >= 0 ? index + 1 : -index - 1, T - 1); // first t with cumulative > u
            steps[i] = index + 1;
            probability[i] = p[index];
        }
        return new Draw(steps, probability);
    }

    /** Appends each loss to its step's history, dropping the oldest beyond HISTORY. */
    /** True: p_t follows the recorded losses. */
    @Override
    public boolean adaptive() {
        return true;
    }

    @Override
    public void record(long[] t, double[] losses) {
        if (t.length != losses.length) {
            throw new IllegalArgumentException("t has length " + t.length + " but losses " + losses.length + ": they must match");
        }
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 1 || t[i] > T) {
                throw new IllegalArgumentException("t[" + i + "] = " + t[i] + ": must lie in 1.." + T);
            }
            if (!Double.isFinite(losses[i])) {
                throw new IllegalArgumentException("losses[" + i + "] = " + losses[i] + ": must be finite");
            }
            int s = (int) t[i] - 1;
            if (count[s] < HISTORY) {
                history[s][count[s]++] = losses[i];
            } else {
                System.arraycopy(history[s], 1, history[s], 0, HISTORY - 1); // shift out the oldest
                history[s][HISTORY - 1] = losses[i];
            }
        }
    }
}
