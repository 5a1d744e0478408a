package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.data.Toy2D;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.ReverseModel;
import org.junit.jupiter.api.Test;

class ReverseSamplerTest {

    /**
     * A reverse kernel whose variance is given per element (as a learned variance is) but equals beta_t everywhere
     * samples exactly what the fixed-variance DDPM sampler samples with the same seed.
     */
    @Test
    void perElementVarianceEqualToBetaReproducesTheDdpmSampler() {
        NoiseSchedule schedule = NoiseSchedule.linear(50);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), schedule);
        FixedVarianceReverse fixed = new FixedVarianceReverse(oracle, schedule, DdpmVariance.BETA);
        ReverseModel perElement = new ReverseModel() {
            @Override
            public int dim() {
                return 2;
            }

            @Override
            public NoiseSchedule schedule() {
                return schedule;
            }

            @Override
            public Gaussian reverse(NDArray xt, int t) {
                return new Gaussian(fixed.reverse(xt, t).mean(), xt.onesLike().mul(Math.log(schedule.beta(t))));
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            float[] ddpm = new DdpmSampler(schedule, DdpmVariance.BETA).sample(m, oracle, 300, 8).toFloatArray();
            float[] reverse = new ReverseSampler().sample(m, perElement, 300, 8).toFloatArray();
            assertArrayEquals(ddpm, reverse, 1e-5f);
            assertThrows(IllegalArgumentException.class, () -> new ReverseSampler().sample(m, perElement, 0, 1));
        }
    }
}
