package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.ode.DormandPrince;
import diffusion.ode.Heun;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import diffusion.sde.LangevinCorrector;
import diffusion.sde.Predictor;
import diffusion.sde.PredictorCorrector;
import diffusion.sde.ProbabilityFlow;
import diffusion.sde.VpSde;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Samplers see samples of any shape: the oracle of 16-dimensional data seen as 1 x 4 x 4 images gives, with the same
 * noise, the same numbers as the flat oracle, for every sampler (nothing below the model assumes a batch (n, d)).
 */
class ShapeAgnosticTest {

    private static final Shape IMAGE = new Shape(1, 4, 4);

    /** The flat model with its samples seen as C x H x W images: output(x) = flat.output(x reshaped (n, d)) reshaped back. */
    private record AsImages(ScoreModel flat) implements ScoreModel {
        @Override
        public Shape sampleShape() {
            return IMAGE;
        }

        @Override
        public PerturbationKernel kernel() {
            return flat.kernel();
        }

        @Override
        public Parameterisation parameterisation() {
            return flat.parameterisation();
        }

        @Override
        public NDArray output(NDArray x, double t) {
            long n = x.getShape().get(0);
            return flat.output(x.reshape(n, IMAGE.size()), t).reshape(x.getShape());
        }
    }

    private static GaussianMixture data() {
        double[] mean = new double[16], variance = new double[16];
        for (int j = 0; j < 16; j++) {
            mean[j] = 0.1 * j - 0.8;
            variance[j] = 0.2 + 0.05 * j;
        }
        return GaussianMixture.gaussian(mean, variance);
    }

    @Test
    void everySamplerGivesTheSameNumbersOnImagesAsOnVectors() {
        VpSde vp = new VpSde(0.1, 20);
        NoiseSchedule cosine = NoiseSchedule.cosine(200);
        record Case(Sampler sampler, PerturbationKernel kernel, TimeGrid grid) {
        }
        List<Case> cases = List.of(
                new Case(GeneralisedReverse.ddpm(ReverseVariance.BETA), cosine, TimeGrid.of(Timesteps.uniform(cosine, 20))),
                new Case(GeneralisedReverse.ddim(0.5).withX0(X0Transform.dynamicThreshold(0.9)), cosine, TimeGrid.of(Timesteps.uniform(cosine, 20))),
                new Case(new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.SIGMA), cosine, TimeGrid.of(Timesteps.uniform(cosine, 20))),
                new Case(PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, LangevinCorrector.snr(0.16, 1)), vp, TimeGrid.uniform(vp, 20, 1e-3)),
                new Case(PredictorCorrector.predictorOnly(Predictor.ANCESTRAL).thenDenoise(), vp, TimeGrid.uniform(vp, 20, 1e-3)),
                new Case(new ProbabilityFlow(DormandPrince.withTolerance(1e-4), ProbabilityFlow.Time.T), vp, TimeGrid.uniform(vp, 1, 1e-3)));
        try (NDManager m = NDManager.newBaseManager()) {
            for (Case c : cases) {
                ScoreModel flat = new GaussianMixtureOracle(data(), c.kernel());
                ScoreModel images = new AsImages(flat);
                Sampler.Result onVectors = c.sampler().sample(m, flat, c.grid(), Noise.seeded(5), Monitor.quiet(), 8);
                Sampler.Result onImages = c.sampler().sample(m, images, c.grid(), Noise.seeded(5), Monitor.quiet(), 8);
                assertEquals(new Shape(8, 1, 4, 4), onImages.samples().getShape(), c.sampler().name());
                assertEquals(onVectors.nfe(), onImages.nfe(), c.sampler().name());
                // the same arithmetic on the same numbers in the same order; the per-sample norms of the corrector reduce
                // over the flattened sample either way
                assertArrayEquals(onVectors.samples().toFloatArray(), onImages.samples().reshape(8, 16).toFloatArray(), 1e-6f,
                        c.sampler().name());
            }
        }
    }

    @Test
    void aStartOfAnotherSampleShapeIsRefused() {
        NoiseSchedule cosine = NoiseSchedule.cosine(200);
        ScoreModel images = new AsImages(new GaussianMixtureOracle(data(), cosine));
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GeneralisedReverse.ddim(0)
                    .run(m, images, TimeGrid.full(cosine), Noise.seeded(1), Monitor.quiet(), m.zeros(new Shape(8, 16))));
            assertEquals(true, e.getMessage().contains("(1, 4, 4)"), e.getMessage());
        }
    }
}
