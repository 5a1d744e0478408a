package diffusion.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.analytic.AnalyticDpm;
import diffusion.analytic.EpsMoment;
import diffusion.data.Digits;
import diffusion.nn.TimeConditioning;
import diffusion.nn.UNet;
import diffusion.ode.Heun;
import diffusion.process.ReverseVariance;
import diffusion.report.Environment;
import diffusion.report.Results;
import diffusion.sample.GeneralisedReverse;
import diffusion.sample.Sampler;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.sde.LangevinCorrector;
import diffusion.sde.Predictor;
import diffusion.sde.PredictorCorrector;
import diffusion.sde.ProbabilityFlow;
import diffusion.sde.VpSde;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A UNet is a ScoreModel like any other: every sampler runs on a tiny untrained (seeded) UNet over 8x8 images for a
 * few steps, unchanged, giving images of the model's shape with finite entries; Analytic-DPM takes its moments
 * through the flat view (EpsMoment is written for batches (n, d)) and samples with the image model itself.
 */
class ImageSamplersTest extends ManagedTest {

    private static final int N = 4;

    private static ScoreModel unet(PerturbationKernel kernel, TimeConditioning conditioning) {
        Environment.seed(21);
        UNet net = new UNet(new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(), 0, 4, OptionalInt.empty()));
        net.initialize(manager);
        return new NetworkScoreModel(net, kernel, conditioning);
    }

    private static void check(String name, Sampler.Result result) {
        assertEquals(new Shape(N, 1, 8, 8), result.samples().getShape(), name);
        assertTrue(result.nfe() > 0, name);
        assertTrue(Arguments.allFinite(result.samples()), name + " samples are finite");
    }

    @Test
    void everySamplerRunsOnAUNetUnchanged() {
        NoiseSchedule schedule = NoiseSchedule.linear(1000);
        ScoreModel discrete = unet(schedule, TimeConditioning.KERNEL_TIME);
        TimeGrid five = TimeGrid.of(Timesteps.uniform(schedule, 5));
        for (Sampler sampler : List.of(GeneralisedReverse.ddpm(ReverseVariance.BETA), GeneralisedReverse.ddpm(ReverseVariance.BETA_TILDE),
                GeneralisedReverse.ddim(0), GeneralisedReverse.ddim(0.5))) {
            check(sampler.name(), sampler.sample(manager, discrete, five, Noise.seeded(1), Monitor.quiet(), N));
        }

        NDArray digits = Digits.load(Results.repoRoot().resolve(Digits.FILE)).train().images(manager).get("0:64");
        FlatView flat = new FlatView(discrete);
        AnalyticDpm analytic = AnalyticDpm.of(Timesteps.uniform(schedule, 5), 0, new EpsMoment(flat, flat.flatten(digits), 16, 3), 1, false);
        check("Analytic-DPM", analytic.sampler().sample(manager, discrete, analytic.grid(), Noise.seeded(2), Monitor.quiet(), N));

        VpSde vp = new VpSde(0.1, 20);
        ScoreModel continuous = unet(vp, TimeConditioning.logSigma(vp));
        TimeGrid grid = TimeGrid.uniform(vp, 25, 1e-3); // beta(t) dt <= 20 / 25 < 1, as the reverse-diffusion predictor requires
        for (Sampler sampler : List.of(PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION),
                PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, LangevinCorrector.snr(0.16, 1)),
                new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.T))) {
            check(sampler.name(), sampler.sample(manager, continuous, grid, Noise.seeded(3), Monitor.quiet(), N));
        }
    }
}
