package diffusion.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded 2D toy data sets, each standardised to mean 0 and variance 1 per coordinate.
 *
 * <p>Each set is drawn in its raw coordinates (documented per factory; {@code noise} is a standard
 * deviation in those raw units) and then mapped by x -&gt; (x - m) / sqrt(v) with the exact
 * per-coordinate mean m and variance v of the raw law (closed form, or midpoint quadrature with
 * 2^14 nodes per branch for curves), so every set has E[x_j] = 0 and Var[x_j] = 1 up to quadrature
 * error below 1e-6.
 */
public final class Toy2D {

    /** Names accepted by {@link #byName}. */
    public static final List<String> NAMES = List.of("eight_gaussians", "two_moons", "swiss_roll", "checkerboard", "rings");

    /** Standard deviation s of each of the eight modes. */
    public static final double EIGHT_GAUSSIANS_STD = 0.2;

    /** Radius r = sqrt(2 (1 - s^2)) of the eight modes, so that Var[x_j] = r^2/2 + s^2 = 1. */
    public static final double EIGHT_GAUSSIANS_RADIUS = Math.sqrt(2 * (1 - EIGHT_GAUSSIANS_STD * EIGHT_GAUSSIANS_STD));

    /** Default raw noise of {@code two_moons} and {@code rings} in {@link #byName}. */
    public static final double DEFAULT_NOISE = 0.05;

    /** Default raw noise of {@code swiss_roll} in {@link #byName} (the raw roll has radius 4.7 to 14.1). */
    public static final double DEFAULT_SWISS_ROLL_NOISE = 0.5;

    private static final int QUADRATURE_NODES = 1 << 14;

    private Toy2D() {}

    /** GaussianMixture.eightGaussians(r, s) with r = {@link #EIGHT_GAUSSIANS_RADIUS}, s = 0.2: exact mean 0, variance 1. */
    public static GaussianMixture eightGaussians() {
        return GaussianMixture.eightGaussians(EIGHT_GAUSSIANS_RADIUS, EIGHT_GAUSSIANS_STD);
    }

    /**
     * Two interleaved half circles, raw: (cos t, sin t) or (1 - cos t, 1/2 - sin t) with equal
     * probability, t ~ U[0, pi], plus N(0, noise^2 I); then standardised.
     */
    public static DataSource twoMoons(double noise) {
        return curve("two_moons", 2, 0, Math.PI, noise, (branch, t, point) -> {
            point[0] = branch == 0 ? Math.cos(t) : 1 - Math.cos(t);
            point[1] = branch == 0 ? Math.sin(t) : 0.5 - Math.sin(t);
        });
    }

    /** Spiral, raw: (t cos t, t sin t) with t ~ U[3 pi/2, 9 pi/2], plus N(0, noise^2 I); then standardised. */
    public static DataSource swissRoll(double noise) {
        return curve("swiss_roll", 1, 1.5 * Math.PI, 4.5 * Math.PI, noise, (branch, t, point) -> {
            point[0] = t * Math.cos(t);
            point[1] = t * Math.sin(t);
        });
    }

    /**
     * Three concentric circles, raw: radius r in {1, 2, 3} with equal probability, (r cos t, r sin t),
     * t ~ U[0, 2 pi), plus N(0, noise^2 I); then standardised.
     */
    public static DataSource rings(double noise) {
        return curve("rings", 3, 0, 2 * Math.PI, noise, (branch, t, point) -> {
            point[0] = (branch + 1) * Math.cos(t);
            point[1] = (branch + 1) * Math.sin(t);
        });
    }

    /**
     * Uniform on the 8 cells (i, j) with i + j even of the 4x4 grid of unit squares covering
     * [-2, 2]^2 (raw); both marginals are U[-2, 2] with variance 4/3, so the set is scaled by sqrt(3/4).
     */
    public static DataSource checkerboard() {
        double scale = Math.sqrt(4.0 / 3.0);
        return new Standardized("checkerboard", (random, point) -> {
            int column = random.nextInt(4);
            int row = 2 * random.nextInt(2) + column % 2;
            point[0] = -2 + column + random.nextDouble();
            point[1] = -2 + row + random.nextDouble();
        }, new double[] {0, 0}, new double[] {scale, scale});
    }

    /**
     * The set named one of {@link #NAMES}, with default noise: two_moons and rings
     * {@value #DEFAULT_NOISE}, swiss_roll {@value #DEFAULT_SWISS_ROLL_NOISE}.
     */
    public static DataSource byName(String name) {
        switch (String.valueOf(name)) {
            case "eight_gaussians":
                return eightGaussians();
            case "two_moons":
                return twoMoons(DEFAULT_NOISE);
            case "swiss_roll":
                return swissRoll(DEFAULT_SWISS_ROLL_NOISE);
            case "checkerboard":
                return checkerboard();
            case "rings":
                return rings(DEFAULT_NOISE);
            default:
                throw new IllegalArgumentException("name = \"" + name + "\" is not a toy data set; valid names: " + NAMES);
        }
    }

    /** A point on branch b at parameter t of a parametric curve. */
    @FunctionalInterface
    private interface Curve {
        void point(int branch, double t, double[] point);
    }

    /** Draws one raw point into point[0..1]. */
    @FunctionalInterface
    private interface RawSampler {
        void draw(SplittableRandom random, double[] point);
    }

    /**
     * Branch b ~ U{0..branches-1}, t ~ U[lo, hi], x = curve(b, t) + noise z, standardised with
     * mean_j = avg_b (1/(hi-lo)) int curve_j dt and var_j = avg_b (1/(hi-lo)) int curve_j^2 dt - mean_j^2 + noise^2.
     */
    private static DataSource curve(String name, int branches, double lo, double hi, double noise, Curve curve) {
        Arguments.nonNegative("noise", noise);
        double[] point = new double[2];
        double[] mean = new double[2];
        double[] secondMoment = new double[2];
        double step = (hi - lo) / QUADRATURE_NODES;
        for (int branch = 0; branch < branches; branch++) {
            for (int node = 0; node < QUADRATURE_NODES; node++) {
                curve.point(branch, lo + (node + 0.5) * step, point);
                for (int j = 0; j < 2; j++) {
                    mean[j] += point[j];
                    secondMoment[j] += point[j] * point[j];
                }
            }
        }
        double[] scale = new double[2];
        for (int j = 0; j < 2; j++) {
            mean[j] /= (double) branches * QUADRATURE_NODES;
            secondMoment[j] /= (double) branches * QUADRATURE_NODES;
            scale[j] = Math.sqrt(secondMoment[j] - mean[j] * mean[j] + noise * noise);
        }
        return new Standardized(name, (random, raw) -> {
            curve.point(random.nextInt(branches), lo + (hi - lo) * random.nextDouble(), raw);
            raw[0] += noise * random.nextGaussian();
            raw[1] += noise * random.nextGaussian();
        }, mean, scale);
    }

    /** x = (raw - center) / scale per coordinate, raw drawn from SplittableRandom(seed). */
    private static final class Standardized implements DataSource {
        private final String name;
        private final RawSampler raw;
        private final double[] center;
        private final double[] scale;

        Standardized(String name, RawSampler raw, double[] center, double[] scale) {
            this.name = name;
            this.raw = raw;
            this.center = center;
            this.scale = scale;
        }

        @Override
        public int dim() {
            return 2;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public NDArray sample(NDManager manager, int n, long seed) {
            Arguments.sampleCount(n, 2);
            SplittableRandom random = new SplittableRandom(seed);
            double[] point = new double[2];
            float[] data = new float[2 * n];
            for (int i = 0; i < n; i++) {
                raw.draw(random, point);
                data[2 * i] = (float) ((point[0] - center[0]) / scale[0]);
                data[2 * i + 1] = (float) ((point[1] - center[1]) / scale[1]);
            }
            return manager.create(data, new Shape(n, 2));
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
