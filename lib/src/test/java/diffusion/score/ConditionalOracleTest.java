package diffusion.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.data.GaussianMixture;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

/** The class-conditional oracle: conditioning bound into the model, checked by Bayes' rule on the diffused scores. */
class ConditionalOracleTest {

    private static final GaussianMixture DATA = GaussianMixture.of(new double[] {0.3, 0.7},
            new double[][] {{-1.5, 0.5}, {1.0, -0.5}}, new double[][] {{0.2, 0.4}, {0.5, 0.1}});

    /**
     * grad log p_t(x) = sum_k p_t(k | x) grad log p_t(x | k) with p_t(k | x) = w_k p_t(x | k) / p_t(x): the unconditional
     * score is the posterior-weighted mix of the conditional ones, at every t (float32 precision).
     */
    @Test
    void theMarginalScoreIsThePosteriorMixOfTheConditionalScores() {
        VpSde sde = new VpSde(0.1, 20);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, sde);
        try (NDManager m = NDManager.newBaseManager()) {
            for (double t : new double[] {0.01, 0.3, 0.9}) {
                NDArray x = oracle.marginal(t).sample(m, 64, 3);
                NDArray logP = oracle.marginal(t).logDensity(x);
                NDArray mix = x.zerosLike();
                for (int k = 0; k < 2; k++) {
                    GaussianMixtureOracle given = oracle.conditional(k);
                    NDArray posterior = given.marginal(t).logDensity(x).add(Math.log(DATA.weights()[k])).sub(logP).exp(); // p_t(k | x)
                    mix = mix.add(given.score(x, t).mul(posterior.expandDims(1)));
                }
                NDArray exact = oracle.score(x, t);
                double scale = 1 + exact.abs().max().getFloat();
                assertEquals(0, mix.sub(exact).abs().max().getFloat(), 1e-5 * scale, "t = " + t);
            }
        }
    }

    @Test
    void aLabelOutsideTheComponentsIsRefused() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, new VpSde(0.1, 20));
        assertThrows(IllegalArgumentException.class, () -> oracle.conditional(2));
        assertThrows(IllegalArgumentException.class, () -> oracle.conditional(-1));
    }
}
