package diffusion.guidance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.metrics.MonteCarlo;
import diffusion.process.ReverseVariance;
import diffusion.sample.GeneralisedReverse;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

/** Classifier-free and classifier guidance on the exact oracle of a labelled mixture (class 0 is itself a mixture). */
class ClassifierFreeTest extends ManagedTest {

    /** Three components; class 0 = components 0 and 1 (a bimodal p(x | 0)), class 1 = component 2. */
    static final GaussianMixture DATA = GaussianMixture.of(new double[] {0.3, 0.2, 0.5},
            new double[][] {{-2.0, 1.0}, {-1.0, -1.5}, {1.5, 0.5}}, new double[][] {{0.2, 0.3}, {0.25, 0.15}, {0.4, 0.2}});
    static final int[] LABELS = {0, 0, 1};
    private static final LabelledMixture VP = new LabelledMixture(DATA, LABELS, new VpSde(0.1, 20));

    /** w = 0 is the conditional model, w = -1 the unconditional one (float32 rounding of (1 + w) eps_c - w eps_u). */
    @Test
    void weightZeroIsConditionalAndMinusOneUnconditional() {
        for (double t : new double[] {0.05, 0.5, 1.0}) {
            NDArray x = VP.unconditional().marginal(t).sample(manager, 128, 3);
            for (int y = 0; y < 2; y++) {
                assertEquals(0, new ClassifierFree(VP, y, 0).score(x, t).sub(VP.given(y).score(x, t)).abs().max().getFloat(),
                        1e-5 * (1 + VP.given(y).score(x, t).abs().max().getFloat()), "w = 0, y = " + y + ", t = " + t);
                assertEquals(0, new ClassifierFree(VP, y, -1).score(x, t).sub(VP.unconditional().score(x, t)).abs().max().getFloat(),
                        1e-5 * (1 + VP.unconditional().score(x, t).abs().max().getFloat()), "w = -1, y = " + y + ", t = " + t);
            }
        }
    }

    /**
     * The identity (1 + w) s(x | y) - w s(x) = s(x) + (1 + w) grad log p_t(y | x): classifier-free guidance of weight w
     * with exact scores and classifier guidance of gamma = 1 + w with the exact classifier (autograd gradient) are the
     * same score, at every t (float32: relative 1e-4 of the largest entry).
     */
    @Test
    void classifierFreeWithExactScoresIsClassifierGuidanceAtGammaOnePlusW() {
        for (double w : new double[] {0.5, 2, 4}) {
            for (int y = 0; y < 2; y++) {
                ClassifierFree free = new ClassifierFree(VP, y, w);
                Guided guided = ClassifierGuidance.of(VP, VP.classifier(), y, 1 + w);
                for (double t : new double[] {0.02, 0.3, 0.8}) {
                    NDArray x = VP.unconditional().marginal(t).sample(manager, 64, 11 + y);
                    NDArray a = free.score(x, t);
                    double scale = 1 + a.abs().max().getFloat();
                    assertEquals(0, a.sub(guided.score(x, t)).abs().max().getFloat(), 1e-4 * scale, "w = " + w + ", y = " + y + ", t = " + t);
                }
            }
        }
    }

    /**
     * Guidance at w = 0 samples the class-conditional mixture: DDPM (sigma^2 = beta) over every step of the linear
     * T = 1000 schedule from the exact scores, n = 4000 samples per class (seeded), mean and variance of each coordinate
     * within 4 Monte Carlo standard errors of the exact p(x | y) (the variance SE from the sample's own fourth moment;
     * the DDPM discretisation at T = 1000 is far below it).
     */
    @Test
    void guidanceAtWeightZeroSamplesTheClassConditionalMixture() {
        NoiseSchedule schedule = NoiseSchedule.linear(1000);
        LabelledMixture discrete = new LabelledMixture(DATA, LABELS, schedule);
        int n = 4000;
        for (int y = 0; y < 2; y++) {
            try (NDManager m = manager.newSubManager()) {
                NDArray samples = GeneralisedReverse.ddpm(ReverseVariance.BETA).sample(m, new ClassifierFree(discrete, y, 0),
                        TimeGrid.full(schedule), Noise.seeded(20 + y), Monitor.quiet(), n).samples();
                GaussianMixture exact = discrete.classData(y);
                for (int j = 0; j < 2; j++) {
                    double variance = MonteCarlo.variance(samples, j);
                    assertEquals(exact.mean()[j], MonteCarlo.mean(samples, j), 4 * MonteCarlo.meanError(exact.variance()[j], n), "mean, y = " + y + ", j = " + j);
                    NDArray c = samples.get(":, " + j);
                    double fourth = c.sub(c.mean()).pow(4).mean().getFloat();
                    double varianceError = Math.sqrt((fourth - variance * variance) / n); // SE of a sample variance, any law
                    assertEquals(exact.variance()[j], variance, 4 * varianceError, "variance, y = " + y + ", j = " + j);
                }
            }
        }
    }

    /** Refusals before any work: a label outside 0..K-1, a NaN weight, a classifier of the wrong K or sample shape. */
    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ClassifierFree(VP, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClassifierFree(VP, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ClassifierFree(VP, 0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ClassifierGuidance.of(VP, VP.classifier(), 0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ClassifierGuidance.of(VP, VP.classifier(), 5, 1));
        LabelledMixture three = LabelledMixture.perComponent(DATA, VP.kernel());
        IllegalArgumentException wrongK = assertThrows(IllegalArgumentException.class, () -> ClassifierGuidance.of(VP, three.classifier(), 0, 1));
        assertTrue(wrongK.getMessage().contains("3 classes"), wrongK.getMessage());
        Classifier threeD = new Classifier() {
            @Override
            public int classes() {
                return 2;
            }

            @Override
            public Shape sampleShape() {
                return new Shape(3);
            }

            @Override
            public NDArray logProbabilities(NDArray x, double t) {
                throw new AssertionError("must not be called");
            }
        };
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> ClassifierGuidance.of(VP, threeD, 0, 1));
        assertTrue(shape.getMessage().contains("(3)"), shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VP.classifier().logLikelihood(2));
    }
}
