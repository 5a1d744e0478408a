package diffusion.latent;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import diffusion.ManagedTest;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.loss.Decoder;
import diffusion.loss.VariationalBound;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.ScoreModel;
import org.junit.jupiter.api.Test;

class ElboReadingsTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);
    private static final ElboReadings READINGS = new ElboReadings(new VariationalBound(SCHEDULE, Decoder.GAUSSIAN));

    @Test
    void theThreeReadingsAreTheKlTermForTheOracleAndForAWrongModel() {
        GaussianMixture eight = Toy2D.eightGaussians();
        GaussianMixture shifted = GaussianMixture.isotropic(new double[] {1, 1}, new double[][] {{-1, 0}, {1, 0.5}}, 0.3);
        NDArray x0 = eight.sample(manager, 512, 1);
        NDArray eps = Noise.seeded(2).normal(manager, x0.getShape());
        for (ScoreModel model : new ScoreModel[] {new GaussianMixtureOracle(eight, SCHEDULE), new GaussianMixtureOracle(shifted, SCHEDULE)}) {
            for (int t : new int[] {2, 10, 100, 500, 1000}) {
                NDArray kl = READINGS.kl(model, x0, eps, t);
                double scale = kl.abs().max().getFloat();
                for (NDArray reading : new NDArray[] {READINGS.predictX0(model, x0, eps, t), READINGS.predictNoise(model, x0, eps, t),
                        READINGS.predictScore(model, x0, eps, t)}) {
                    double error = reading.sub(kl).abs().max().getFloat();
                    // float32: the KL is ||mu_q - mu_theta||^2 / (2 betaTilde) from two means that differ in their low digits (max seen 7e-5 relative; 1e-6 absolute for the KL of ~1e-6 at t = T)
                    assertTrue(error <= 5e-4 * scale + 1e-6, "t = " + t + ": max |reading - KL| = " + error + " at max KL " + scale);
                }
            }
        }
    }

    @Test
    void refusesStepsOutsideTheKlTerms() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), SCHEDULE);
        NDArray x0 = manager.zeros(new ai.djl.ndarray.types.Shape(4, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> READINGS.predictX0(oracle, x0, x0, 1));
        assertTrue(e.getMessage().contains("t = 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> READINGS.predictNoise(oracle, x0, x0, 1001));
    }
}
