package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Monitor;
import diffusion.metrics.ClassifierScores;
import diffusion.metrics.FrechetDistance;
import diffusion.nn.ImageClassifier;
import diffusion.sample.GeneralisedReverse;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageSamplerStudyTest extends RedirectedResults {

    @Test
    void rowsShareTheirNoiseSeedsAndTheFloorScoresRealImagesTheSameWay() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Environment.seed(3);
            Shape shape = new Shape(1, 8, 8);
            ImageClassifier classifier = ImageClassifier.forImages(shape, 3);
            classifier.initialize(manager);
            NDArray real = manager.randomUniform(-1, 1, new Shape(200, 1, 8, 8));
            FrechetDistance.Gaussian reference;
            try (ClassifierScores scores = ClassifierScores.of(classifier, 3, real.get("0:100"), 50)) {
                reference = FrechetDistance.Gaussian.fit(scores.features());
            }
            NoiseSchedule schedule = NoiseSchedule.linear(100);
            ScoreModel zero = ScoreModel.of(shape, schedule, Parameterisation.EPSILON, (x, t) -> x.zerosLike());
            TimeGrid grid = TimeGrid.of(Timesteps.uniform(schedule, 5));
            var study = new ImageSamplerStudy(classifier, 3, reference, 40, 2, 11, 32);
            var rows = List.of(new ImageSamplerStudy.Row("DDIM", 5, GeneralisedReverse.ddim(0), grid, zero),
                    new ImageSamplerStudy.Row("DDIM again", 5, GeneralisedReverse.ddim(0), grid, zero),
                    new ImageSamplerStudy.Row("DDPM", 5, GeneralisedReverse.ddpm(diffusion.process.ReverseVariance.BETA), grid, zero));
            var entries = study.run(manager, rows, 6, Monitor.quiet());
            assertEquals(3, entries.size());
            assertArrayEquals(entries.get(0).fd(), entries.get(1).fd(), "the same sampler on the same noise seeds gives the same FD");
            assertTrue(entries.get(0).fd()[0] != entries.get(0).fd()[1], "seeds differ");
            assertEquals(5, entries.get(0).nfe());
            assertEquals(new Shape(6, 1, 8, 8), entries.get(0).shown().getShape());
            assertTrue(entries.get(0).shown().abs().max().getFloat() <= 1, "shown samples are clipped to [-1, 1]");
            for (var e : entries) {
                for (int s = 0; s < 2; s++) {
                    assertTrue(e.fd()[s] >= 0 && e.is()[s] >= 1 - 1e-9 && e.is()[s] <= 3 + 1e-9, e.name() + ": FD >= 0, 1 <= IS <= K");
                }
            }
            var floor = study.floor(real.get("100:200"), 4, 5);
            assertEquals(4, floor.fd().length);
            assertTrue(floor.mean() > 0 && floor.sd() > 0 && floor.threshold(2) > floor.mean());
            String html = ImageSamplerStudy.table("study", entries, floor).save();
            assertTrue(html.contains("data vs data floor"), html);
            assertThrows(IllegalArgumentException.class, () -> study.floor(real.get("0:10"), 4, 5));
            assertThrows(IllegalArgumentException.class, () -> new ImageSamplerStudy(classifier, 3,
                    new FrechetDistance.Gaussian(new double[2], new double[][] {{1, 0}, {0, 1}}), 40, 2, 1, 32));
        }
    }
}
