package diffusion.inverse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.analytic.Dense;
import diffusion.data.GaussianMixture;
import diffusion.sample.GeneralisedReverse;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The measurement operators: A^+ is a right inverse (A A^+ = I on observations), P = A^+ A an orthogonal projector
 * (P^2 = P = P^T, checked on the dense matrix to float32 precision, 1e-6), the replacement constraint's algebra, and
 * the refusals before any work.
 */
class LinearOperatorTest extends ManagedTest {

    private static final Shape IMAGE = new Shape(3, 4, 4);

    private static List<LinearOperator> operators() {
        double[] mask = new double[48];
        for (int i = 0; i < 48; i += 3) {
            mask[i] = 1;
        }
        return List.of(new Inpainting(IMAGE, mask), new AveragePooling(IMAGE, 2),
                new ChannelMixing(IMAGE, new double[][] {{0.299, 0.587, 0.114}}),
                new ChannelMixing(new Shape(3), new double[][] {{1, 1, 0}, {0, 1, -1}}));
    }

    @Test
    void thePseudoInverseIsARightInverseAndThProjectorIsOrthogonal() {
        for (LinearOperator a : operators()) {
            double[][] m = a.matrix();
            double[][] p = Dense.multiply(pseudoInverseMatrix(a), m);
            double[][] pp = Dense.multiply(p, p);
            for (int i = 0; i < p.length; i++) {
                for (int j = 0; j < p.length; j++) {
                    assertEquals(p[i][j], pp[i][j], 1e-6, a + ": P^2 = P at " + i + ", " + j);
                    assertEquals(p[i][j], p[j][i], 1e-6, a + ": P = P^T at " + i + ", " + j);
                }
            }
            if (!(a instanceof Inpainting)) {
                double[][] identity = Dense.multiply(m, pseudoInverseMatrix(a));
                for (int i = 0; i < identity.length; i++) {
                    for (int j = 0; j < identity.length; j++) {
                        assertEquals(i == j ? 1 : 0, identity[i][j], 1e-6, a + ": A A^+ = I at " + i + ", " + j);
                    }
                }
            }
        }
    }

    /** A^+ as a dense matrix, column j = A^+ e_j. */
    private static double[][] pseudoInverseMatrix(LinearOperator a) {
        int m = Math.toIntExact(a.outputShape().size());
        int d = Math.toIntExact(a.inputShape().size());
        float[] basis = new float[m * m];
        for (int j = 0; j < m; j++) {
            basis[j * m + j] = 1;
        }
        float[] columns = a.pseudoInverse(manager.create(basis, new Shape(m).addAll(a.outputShape()))).toFloatArray();
        double[][] inverse = new double[d][m];
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < d; i++) {
                inverse[i][j] = columns[j * d + i];
            }
        }
        return inverse;
    }

    /** Average pooling's A is the block mean and its projector ILVR's phi_N: a constant image is left unchanged. */
    @Test
    void averagePoolingIsTheBlockMean() {
        AveragePooling pool = new AveragePooling(new Shape(1, 4, 4), 2);
        NDArray x = manager.arange(16f).reshape(1, 1, 4, 4);
        assertEquals(List.of(2.5f, 4.5f, 10.5f, 12.5f), toList(pool.apply(x).toFloatArray()));
        NDArray constant = manager.ones(new Shape(1, 1, 4, 4)).mul(0.7f);
        assertEquals(0, pool.project(constant).sub(constant).abs().max().getFloat(), 1e-7);
    }

    private static List<Float> toList(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return List.of(boxed);
    }

    /**
     * The replacement at time t: the unobserved part (I - P) x is kept, the observed part becomes P (m(t) A^+ y +
     * s(t) z) with the drawn z (replayed here), exactly (float32, 1e-5).
     */
    @Test
    void theReplacementKeepsTheUnobservedPartAndNoisesTheObservation() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        AveragePooling pool = new AveragePooling(new Shape(1, 4, 4), 2);
        NDArray truth = manager.randomNormal(new Shape(2, 1, 4, 4));
        Observation observation = Observation.of(pool, truth, 0);
        Replacement ilvr = new Replacement(observation, schedule);
        NDArray x = manager.randomNormal(new Shape(2, 1, 4, 4));
        NDArray z = manager.randomNormal(new Shape(2, 1, 4, 4));
        double t = 40;
        NDArray out = ilvr.apply(x, t, Noise.replay(List.of(z)));
        NDArray expectedObserved = pool.project(truth.mul(schedule.meanScale(t)).add(z.mul(schedule.std(t))));
        NDArray kept = x.sub(pool.project(x));
        assertEquals(0, out.sub(pool.project(out)).sub(kept).abs().max().getFloat(), 1e-5);
        assertEquals(0, pool.project(out).sub(expectedObserved).abs().max().getFloat(), 1e-5);
        assertTrue(ilvr.toString().startsWith("ILVR"));
    }

    @Test
    void badShapesAndLevelsAreRefusedBeforeAnyWork() {
        NoiseSchedule schedule = NoiseSchedule.linear(10);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1}), schedule);
        Inpainting mask = new Inpainting(new Shape(2), new double[] {1, 0});
        assertRefused("mask has 3 entries", () -> new Inpainting(new Shape(2), new double[] {1, 0, 1}));
        assertRefused("nothing is missing", () -> new Inpainting(new Shape(2), new double[] {1, 1}));
        assertRefused("no entry", () -> new Inpainting(new Shape(2), new double[] {0, 0}));
        assertRefused("mask[1] = 0.5", () -> new Inpainting(new Shape(2), new double[] {1, 0.5}));
        assertRefused("weights[0] has 2 entries", () -> new ChannelMixing(IMAGE, new double[][] {{1, 1}}));
        assertRefused("full row rank", () -> new ChannelMixing(new Shape(2), new double[][] {{1, 1}, {2, 2}}));
        assertRefused("factor = 3", () -> new AveragePooling(IMAGE, 3));
        assertRefused("(C, H, W)", () -> new AveragePooling(new Shape(16), 2));
        assertRefused("sigmaY = -0.1", () -> Observation.of(mask, manager.zeros(new Shape(1, 2)), -0.1));
        assertRefused("sigmaY = NaN", () -> Observation.of(mask, manager.zeros(new Shape(1, 2)), Double.NaN));
        assertRefused("y", () -> new Observation(mask, manager.zeros(new Shape(1, 3)), 0));
        Inpainting image = new Inpainting(new Shape(3), new double[] {1, 0, 0});
        Observation wrong = new Observation(image, manager.zeros(new Shape(1, 3)), 0);
        TimeGrid grid = TimeGrid.of(Timesteps.uniform(schedule, 5));
        assertRefused("sample shape is (2)", () -> GeneralisedReverse.ddim(0).constrained(new Replacement(wrong, schedule))
                .sample(manager, oracle, grid, Noise.seeded(1), Monitor.quiet(), 4));
        Observation two = new Observation(mask, manager.zeros(new Shape(2, 2)), 0);
        assertRefused("n = 4 samples", () -> GeneralisedReverse.ddim(0).constrained(new Replacement(two, schedule))
                .sample(manager, oracle, grid, Noise.seeded(1), Monitor.quiet(), 4));
        assertRefused("sigma_y > 0", () -> new PosteriorSampling(oracle, Observation.of(mask, manager.zeros(new Shape(1, 2)), 0)));
    }

    private static void assertRefused(String fragment, Executable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::execute);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should contain '" + fragment + "'");
    }

    /** A callable that may throw. */
    private interface Executable {
        void execute() throws Exception;
    }
}
