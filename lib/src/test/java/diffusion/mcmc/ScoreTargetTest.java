package diffusion.mcmc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import org.junit.jupiter.api.Test;

class ScoreTargetTest {

    private static final GaussianMixture MIXTURE = GaussianMixture.of(new double[] {0.8, 0.2},
            new double[][] {{-3.0, 0.0}, {3.0, 0.0}}, new double[][] {{0.25, 0.25}, {0.25, 0.25}});

    /** ULA with the mixture's score given as a function is the same chain, bit for bit, as ULA on the mixture itself. */
    @Test
    void ulaOnTheScoreAloneIsUlaOnTheTarget() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = m.randomUniform(-5, 5, new Shape(200, 2));
            Langevin ula = Langevin.ula(0.01, 50);
            float[] exact = ula.run(m, new MixtureTarget(MIXTURE), start, 7, 0).samples().toFloatArray();
            float[] fromScore = ula.run(m, new ScoreTarget("mixture_score", 2, MIXTURE::score), start, 7, 0).samples().toFloatArray();
            assertArrayEquals(exact, fromScore);
        }
    }

    /** A score has no log-density: MALA, which needs one, is refused with a message that says to use ULA. */
    @Test
    void logDensityIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            ScoreTarget target = new ScoreTarget("mixture_score", 2, MIXTURE::score);
            var e = assertThrows(UnsupportedOperationException.class, () -> target.logDensity(m.zeros(new Shape(3, 2))));
            assertTrue(e.getMessage().contains("ULA"), e.getMessage());
        }
    }

    /** Points of the wrong dimension, a score of the wrong shape and a dimension below 1 are refused. */
    @Test
    void badShapesAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            ScoreTarget target = new ScoreTarget("mixture_score", 2, MIXTURE::score);
            assertThrows(IllegalArgumentException.class, () -> target.gradLogDensity(m.zeros(new Shape(3, 3))));
            ScoreTarget wrong = new ScoreTarget("wrong", 2, x -> x.sum(new int[] {1}));
            var e = assertThrows(IllegalStateException.class, () -> wrong.gradLogDensity(m.zeros(new Shape(3, 2))));
            assertTrue(e.getMessage().contains("(3)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new ScoreTarget("none", 0, MIXTURE::score));
        }
    }
}
