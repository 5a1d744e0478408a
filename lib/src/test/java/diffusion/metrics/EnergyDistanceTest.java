package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

class EnergyDistanceTest extends ManagedTest {

    /**
     * N(0, 1) against N(mu, 1) in 1D: X - Y ~ N(-mu, 2) gives E|X - Y| = 2 phi(mu / sqrt 2) sqrt 2 + mu (2 Phi(mu / sqrt 2) - 1)
     * and E|X - X'| = 2 / sqrt(pi). The U-statistic is unbiased; over 10 independent pairs of 1500 points its mean must
     * lie within 3 standard errors of the closed form.
     */
    @Test
    void matchesTheClosedFormForTwoShiftedGaussians() {
        double mu = 0.5;
        NormalDistribution normal = new NormalDistribution();
        double z = mu / Math.sqrt(2);
        double crossMean = 2 * Math.sqrt(2) * normal.density(z) + mu * (2 * normal.cumulativeProbability(z) - 1);
        double exact = 2 * crossMean - 2 * 2 / Math.sqrt(Math.PI);
        GaussianMixture p = GaussianMixture.gaussian(new double[] {0}, new double[] {1});
        GaussianMixture q = GaussianMixture.gaussian(new double[] {mu}, new double[] {1});
        double[] values = new double[10];
        for (int r = 0; r < values.length; r++) {
            values[r] = EnergyDistance.distance(p.sample(manager, 1500, 2 * r), q.sample(manager, 1500, 2 * r + 1));
        }
        MonteCarlo.Estimate estimate = MonteCarlo.estimate(values);
        assertEquals(exact, estimate.mean(), 3 * estimate.standardError(), "E = " + exact + ", estimate " + estimate);
        assertTrue(estimate.standardError() < exact / 10, "the check has power: " + estimate);
    }

    /** The permutation test: the observed statistic equals distance(); a shifted law is rejected, the same law is not. */
    @Test
    void permutationTestRejectsOnlyADifferentLaw() {
        GaussianMixture p = GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1});
        GaussianMixture q = GaussianMixture.gaussian(new double[] {0.3, 0}, new double[] {1, 1});
        NDArray x = p.sample(manager, 400, 1);
        EnergyDistance.Test same = EnergyDistance.test(x, p.sample(manager, 400, 2), 199, 3);
        EnergyDistance.Test shifted = EnergyDistance.test(x, q.sample(manager, 400, 4), 199, 3);
        assertEquals(EnergyDistance.distance(x, p.sample(manager, 400, 2)), same.distance(), 1e-9);
        assertTrue(same.pValue() > 0.05, "same law: p = " + same.pValue());
        assertEquals(0.005, shifted.pValue(), 1e-12, "a 0.3 sd shift at n = 400 beats all 199 relabellings");
        assertThrows(IllegalArgumentException.class, () -> EnergyDistance.test(x, x, 0, 1));
    }
}
