package diffusion.mcmc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.metrics.MonteCarlo;
import org.junit.jupiter.api.Test;

class LectureRdmcTest {

    private static final GaussianMixture GAUSSIAN = GaussianMixture.gaussian(new double[] {1.5, -1.0}, new double[] {0.5, 2.0});
    private static final MixtureTarget TARGET = new MixtureTarget(GAUSSIAN);

    /**
     * One outer step from the same start and noise: the lecture's update is the right one minus (e^eta - 1) v, with
     * v the exact score at the start (the factor 2 it drops, and nothing else).
     */
    @Test
    void oneStepDiffersFromTheRightUpdateByTheMissingScoreTerm() {
        double eta = 0.5;
        ExactScore score = new ExactScore(GAUSSIAN);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray right = new ReverseDiffusionMonteCarlo(eta, eta, score).run(m, TARGET, 200, 11, 0).samples();
            NDArray lecture = new LectureRdmc(eta, eta, score).run(m, TARGET, 200, 11);
            NDArray start = Noise.seeded(11).normal(m, new Shape(200, 2)); // the first draw of both runs
            NDArray v = score.estimate(TARGET, start, eta, Noise.seeded(0)).score();
            NDArray expected = right.sub(v.mul(Math.expm1(eta)));
            assertEquals(0, expected.sub(lecture).abs().max().getFloat(), 1e-4);
        }
    }

    /** On the Gaussian target with the exact score the lecture's update overshoots the variance (the erratum). */
    @Test
    void missingFactorTwoInflatesTheVariance() {
        ExactScore score = new ExactScore(GAUSSIAN);
        try (NDManager m = NDManager.newBaseManager()) {
            LectureRdmc lecture = new LectureRdmc(4, 0.05, score);
            assertEquals(80, lecture.steps());
            NDArray x = lecture.run(m, TARGET, 4000, 3);
            double[] target = {0.5, 2.0};
            for (int j = 0; j < 2; j++) {
                double variance = MonteCarlo.variance(x, j);
                assertTrue(variance > 2 * target[j], "coordinate " + j + ": variance " + variance + ", target " + target[j]);
            }
        }
    }
}
