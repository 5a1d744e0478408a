package diffusion.guidance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.Parameterisation;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

/** Guidance by a log-likelihood term, checked by Bayes' rule on the exact scores of a Gaussian mixture. */
class GuidedTest extends ManagedTest {

    private static final GaussianMixture DATA = GaussianMixture.of(new double[] {0.3, 0.7},
            new double[][] {{-1.5, 0.5}, {1.0, -0.5}}, new double[][] {{0.2, 0.4}, {0.5, 0.1}});
    private static final GaussianMixtureOracle ORACLE = new GaussianMixtureOracle(DATA, new VpSde(0.1, 20));

    /** The exact classifier log p_t(k | x) = log w_k + log p_t(x | k) - log p_t(x). */
    private static LogLikelihood exactClassifier(int k) {
        return (x, t) -> ORACLE.conditional(k).marginal(t).logDensity(x).add(Math.log(DATA.weights()[k]))
                .sub(ORACLE.marginal(t).logDensity(x));
    }

    /**
     * Bayes: grad log p_t(x) + grad log p_t(k | x) = grad log p_t(x | k), so guidance with the exact classifier at
     * gamma = 1 is the class-conditional oracle, at every t (float32 precision of the autograd gradient).
     */
    @Test
    void guidanceWithTheExactClassifierAtUnitWeightIsTheConditionalScore() {
        for (int k = 0; k < 2; k++) {
            Guided guided = new Guided(ORACLE, exactClassifier(k), 1);
            for (double t : new double[] {0.02, 0.3, 0.9}) {
                NDArray x = ORACLE.marginal(t).sample(manager, 64, 5 + k);
                NDArray exact = ORACLE.conditional(k).score(x, t);
                double scale = 1 + exact.abs().max().getFloat();
                assertEquals(0, guided.score(x, t).sub(exact).abs().max().getFloat(), 1e-4 * scale, "k = " + k + ", t = " + t);
            }
        }
    }

    /** The eps form: eps~ = eps - s(t) gamma grad log p_t(k | x), the DDIM form of classifier guidance. */
    @Test
    void theEpsFormSubtractsTheScaledGradient() {
        double t = 0.4;
        double gamma = 2.5;
        NDArray x = ORACLE.marginal(t).sample(manager, 32, 9);
        Guided guided = new Guided(ORACLE, exactClassifier(1), gamma);
        NDArray gradient = ORACLE.conditional(1).score(x, t).sub(ORACLE.score(x, t)); // grad log p_t(1 | x) by Bayes
        NDArray expected = ORACLE.epsilon(x, t).sub(gradient.mul(ORACLE.kernel().std(t) * gamma));
        assertEquals(Parameterisation.SCORE, guided.parameterisation());
        assertEquals(0, guided.epsilon(x, t).sub(expected).abs().max().getFloat(), 1e-4);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Guided(ORACLE, exactClassifier(0), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Guided(null, exactClassifier(0), 1));
        Guided scalar = new Guided(ORACLE, (x, t) -> x.sum(), 1);
        NDArray x = ORACLE.marginal(0.5).sample(manager, 4, 1);
        assertThrows(IllegalArgumentException.class, () -> scalar.score(x, 0.5));
    }
}
