package diffusion.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Noise;
import diffusion.metrics.MonteCarlo;
import org.junit.jupiter.api.Test;

class ReparameterisationTest extends ManagedTest {

    @Test
    void theSampleHasTheStatedMeanAndVariance() {
        // mu = (1, -2), variance = (4, 0.25): a variance used as the standard deviation would give variances 16 and 0.0625,
        // a log-variance used as the log-std 16 and 1/16 as well; 4 SE of 200000 draws is 0.04 at variance 4.
        int n = 200_000;
        double[] mu = {1, -2};
        double[] variance = {4, 0.25};
        NDArray mean = manager.create(new float[] {1, -2}).reshape(1, 2).repeat(0, n);
        NDArray logVariance = manager.create(new float[] {(float) Math.log(4), (float) Math.log(0.25)}).reshape(1, 2).repeat(0, n);
        NDArray eps = Noise.seeded(5).normal(manager, new Shape(n, 2));
        NDArray z = Reparameterisation.sample(mean, logVariance, eps);
        for (int j = 0; j < 2; j++) {
            assertEquals(mu[j], MonteCarlo.mean(z, j), 4 * MonteCarlo.meanError(variance[j], n), "4 SE of the mean, seed 5");
            assertEquals(variance[j], MonteCarlo.variance(z, j), 4 * MonteCarlo.varianceError(variance[j], n), "4 SE of the variance, seed 5");
        }
        NDArray centred = z.sub(z.mean(new int[] {0}));
        double covariance = centred.get(":, 0").mul(centred.get(":, 1")).mean().getFloat();
        assertEquals(0, covariance, 4 * Math.sqrt(4 * 0.25 / n), "independent coordinates: 4 SE of a sample covariance");
    }

    @Test
    void refusesMismatchedShapes() {
        NDArray a = manager.zeros(new Shape(3, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Reparameterisation.sample(a, manager.zeros(new Shape(3, 1)), a));
        assertTrue(e.getMessage().contains("logVariance has shape"), e.getMessage());
    }
}
