package diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import diffusion.DivergedException;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.data.GaussianMixture;
import diffusion.loss.Objective;
import diffusion.loss.SimpleLoss;
import diffusion.nn.EpsMlp;
import diffusion.process.ForwardProcess;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected into training (a NaN loss, a NaN gradient under a finite loss, an exploding learning rate, weights
 * that overflow, a corrupted EMA, NaN rows in the data, an unwritable checkpoint path, unrelated engine draws): the
 * run stops at the faulty step, never writes a checkpoint with bad weights, says truthfully which checkpoint it kept,
 * and its randomness depends on its seed alone.
 */
class TrainerFaultsTest extends ManagedTest {

    private static final ForwardProcess FORWARD = new ForwardProcess(NoiseSchedule.linear(100));
    private static final GaussianMixture DATA = GaussianMixture.gaussian(new double[] {1.0, -1.0}, new double[] {0.25, 0.5});

    @TempDir
    Path dir;

    private static TrainingConfig config(int steps, int every, double learningRate, Path checkpoint) {
        return new TrainingConfig(steps, 64, learningRate, 0.9, 7, every, checkpoint);
    }

    /** A trainer of a fresh small eps-MLP (initialised from config.seed()) whose objective is made by objective(network, L_simple of it). */
    private static Trainer trainer(TrainingConfig config, BiFunction<EpsMlp, Objective, Objective> objective) {
        Environment.seed(config.seed());
        EpsMlp network = new EpsMlp(2, 16, 1, 8);
        network.initialize(manager);
        EpsMlp ema = network.sameArchitecture();
        ema.initialize(manager);
        return new Trainer(manager, network, ema, objective.apply(network, SimpleLoss.objective(network, FORWARD)), config);
    }

    /** L_simple, with fault added to its value from step `from` on (1-based, counted by calls of the objective). */
    private static BiFunction<EpsMlp, Objective, Objective> faultFrom(int from, BiFunction<EpsMlp, NDArray, NDArray> fault) {
        AtomicInteger calls = new AtomicInteger();
        return (network, simple) -> (parameters, x0) -> {
            NDArray loss = simple.loss(parameters, x0);
            return calls.incrementAndGet() >= from ? fault.apply(network, loss) : loss;
        };
    }

    private static NDArray firstWeight(ai.djl.nn.Block block) {
        return block.getParameters().get(0).getValue().getArray();
    }

    private static EpsMlp loaded(Path file) {
        EpsMlp network = new EpsMlp(2, 16, 1, 8);
        network.initialize(manager);
        Checkpoint.load(network, manager, file);
        return network;
    }

    private static float[] weights(ai.djl.nn.Block block) {
        float[][] parts = block.getParameters().stream().map(p -> p.getValue().getArray().toFloatArray()).toArray(float[][]::new);
        int length = 0;
        for (float[] part : parts) {
            length += part.length;
        }
        float[] all = new float[length];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * 0 * sqrt(0 * w) is 0 (a finite loss) but its gradient is 0 * inf = NaN: training stops at that step before the
     * update, and the checkpoint it keeps is the EMA of the step before, every weight finite and equal to the EMA.
     */
    @Test
    void aNanGradientUnderAFiniteLossStopsBeforeTheUpdateAndKeepsTheEarlierEma() {
        Path file = dir.resolve("nan-gradient.params");
        Trainer trainer = trainer(config(10, 1, 1e-3, file),
                faultFrom(4, (network, loss) -> loss.add(firstWeight(network).mul(0).sqrt().sum().mul(0))));
        NDArray data = DATA.sample(manager, 500, 1);
        DivergedException e = assertThrows(DivergedException.class, () -> trainer.train(data, Monitor.quiet()));
        assertEquals(4, e.step(), e.getMessage());
        assertTrue(e.getMessage().contains("gradient") && e.getMessage().contains("NaN or infinite"), e.getMessage());
        assertTrue(e.getMessage().contains("the EMA after step 3) kept at " + file), e.getMessage());
        float[] kept = weights(loaded(file));
        assertTrue(allFinite(kept), "every weight of the kept checkpoint is finite");
        assertArrayEquals(weights(trainer.ema()), kept, "the kept checkpoint is the EMA after step 3");
        assertTrue(allFinite(weights(trainer.network())), "the NaN gradient was not applied");
    }

    /**
     * With a learning rate of 1e30 the first update makes huge but finite weights and the next loss is not finite: the
     * EMA after that update is never written, and a checkpoint of an earlier healthy run stays byte for byte.
     */
    @Test
    void anExplodingUpdateIsNeverCheckpointed() throws Exception {
        Path file = dir.resolve("explode.params");
        NDArray data = DATA.sample(manager, 500, 1);
        trainer(config(3, 1, 1e-3, file), (network, simple) -> simple).train(data, Monitor.quiet());
        byte[] good = Files.readAllBytes(file);
        Trainer exploding = trainer(config(10, 1, 1e30, file), (network, simple) -> simple);
        DivergedException e = assertThrows(DivergedException.class, () -> exploding.train(data, Monitor.quiet()));
        assertEquals(2, e.step(), e.getMessage());
        assertTrue(e.getMessage().contains("loss = "), e.getMessage());
        assertTrue(e.getMessage().contains("this run wrote no checkpoint; the file at " + file + " is from an earlier run"), e.getMessage());
        assertArrayEquals(good, Files.readAllBytes(file), "the earlier checkpoint is untouched");
    }

    /**
     * An objective bounded in the weights (sum of tanh) with the largest float learning rate: the loss and the
     * gradients stay finite while Adam's second step overflows the weights to -infinity; that step is refused. (The
     * EMA after the first, huge but finite, update was confirmed by the finite loss of step 2 and kept: a finite loss
     * is all the trainer can check.)
     */
    @Test
    void weightsThatOverflowStopTrainingAtThatStep() {
        Path file = dir.resolve("overflow.params");
        Trainer trainer = trainer(config(10, 1, Float.MAX_VALUE, file), (network, simple) -> (parameters, x0) -> {
            NDArray sum = null;
            for (Pair<String, Parameter> p : network.getParameters()) {
                NDArray term = p.getValue().getArray().tanh().sum();
                sum = sum == null ? term : sum.add(term);
            }
            return sum;
        });
        DivergedException e = assertThrows(DivergedException.class, () -> trainer.train(DATA.sample(manager, 100, 1), Monitor.quiet()));
        assertEquals(2, e.step(), e.getMessage());
        assertTrue(e.getMessage().contains("updated weight"), e.getMessage());
        assertTrue(e.getMessage().contains("the EMA after step 1) kept at " + file), e.getMessage());
        assertTrue(allFinite(weights(loaded(file))), "no infinite weight was written");
    }

    /**
     * A NaN loss at step 5 with checkpoints every 2 steps: the EMA after step 2 was confirmed by step 3's loss and
     * kept; the EMA after step 4 waits for step 5's loss, which is NaN, so it is not written.
     */
    @Test
    void aNanLossKeepsTheLastConfirmedCheckpointAndSaysWhich() {
        Path file = dir.resolve("nan-loss.params");
        Trainer trainer = trainer(config(10, 2, 1e-3, file), faultFrom(5, (network, loss) -> loss.mul(Float.NaN)));
        DivergedException e = assertThrows(DivergedException.class, () -> trainer.train(DATA.sample(manager, 500, 1), Monitor.quiet()));
        assertTrue(e.getMessage().startsWith("training diverged at step 5: loss = NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("the EMA after step 2) kept at " + file), e.getMessage());
        assertTrue(allFinite(weights(loaded(file))));
    }

    /** A NaN loss at the first step of a run with a checkpoint path and no file there: the message claims none. */
    @Test
    void aFirstStepFailureClaimsNoCheckpoint() {
        Path file = dir.resolve("never.params");
        Trainer trainer = trainer(config(10, 1, 1e-3, file), faultFrom(1, (network, loss) -> loss.mul(Float.NaN)));
        DivergedException e = assertThrows(DivergedException.class, () -> trainer.train(DATA.sample(manager, 500, 1), Monitor.quiet()));
        assertTrue(e.getMessage().endsWith("this run wrote no checkpoint (none exists at " + file + ")"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    /** An EMA corrupted between steps (here by the monitor) is refused before it is written. */
    @Test
    void aNonFiniteEmaIsNeverWritten() throws Exception {
        Path file = dir.resolve("ema.params");
        Trainer trainer = trainer(config(10, 1, 1e-3, file), (network, simple) -> simple);
        Monitor corrupting = new Monitor() {
            @Override
            public void step(long k, double t, NDArray x, String status) {
                if (k == 3) {
                    firstWeight(trainer.ema()).set(new NDIndex("0, 0"), Float.NaN);
                }
            }
        };
        DivergedException e = assertThrows(DivergedException.class, () -> trainer.train(DATA.sample(manager, 500, 1), corrupting));
        assertEquals(4, e.step(), e.getMessage());
        assertTrue(e.getMessage().contains("EMA weight"), e.getMessage());
        assertTrue(allFinite(weights(loaded(file))), "the file holds the EMA after step 2, written before the corruption");
        assertTrue(e.getMessage().contains("the EMA after step 2) kept at " + file), e.getMessage());
    }

    /** Data with 1% NaN rows is refused before the first step, naming the rows; nothing is written. */
    @Test
    void dataWithNanRowsIsRefusedBeforeTraining() {
        Path file = dir.resolve("data.params");
        NDArray data = DATA.sample(manager, 1_000, 1);
        data.set(new NDIndex("0:10, 1"), Float.NaN);
        AtomicInteger calls = new AtomicInteger();
        Trainer trainer = trainer(config(10, 1, 1e-3, file), (network, simple) -> (parameters, x0) -> {
            calls.incrementAndGet();
            return simple.loss(parameters, x0);
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.train(data, Monitor.quiet()));
        assertEquals("data has 10 rows with NaN or infinite entries; every entry must be finite", e.getMessage());
        assertEquals(0, calls.get(), "no step was taken");
        assertFalse(Files.exists(file));
    }

    /** A checkpoint path whose folder cannot be created (a file is in the way) is refused before any work. */
    @Test
    void anUnwritableCheckpointPathIsRefusedBeforeTheFirstStep() throws Exception {
        Path blocker = Files.writeString(dir.resolve("a-file"), "not a folder");
        Path file = blocker.resolve("sub").resolve("eps.params");
        AtomicInteger calls = new AtomicInteger();
        Trainer trainer = trainer(config(10, 1, 1e-3, file), (network, simple) -> (parameters, x0) -> {
            calls.incrementAndGet();
            return simple.loss(parameters, x0);
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.train(DATA.sample(manager, 100, 1), Monitor.quiet()));
        assertTrue(e.getMessage().startsWith("config.checkpoint() = " + file + " cannot be written"), e.getMessage());
        assertEquals(0, calls.get(), "no step was taken");
        Path folder = Files.createDirectories(dir.resolve("folder.params"));
        Trainer onFolder = trainer(config(10, 1, 1e-3, folder), (network, simple) -> simple);
        assertThrows(IllegalArgumentException.class, () -> onFolder.train(DATA.sample(manager, 100, 1), Monitor.quiet()));
    }

    /** An unrelated draw from the engine's generator between construction and train() changes nothing, bitwise. */
    @Test
    void unrelatedEngineDrawsLeaveTrainingBitwiseUnchanged() {
        NDArray data = DATA.sample(manager, 500, 1);
        Trainer plain = trainer(config(20, 20, 1e-3, null), (network, simple) -> simple);
        Trainer disturbed = trainer(config(20, 20, 1e-3, null), (network, simple) -> simple);
        assertArrayEquals(weights(plain.network()), weights(disturbed.network()), "the trainers start equal");
        float[] expected = plain.train(data, Monitor.quiet());
        manager.randomNormal(new Shape(37));
        manager.randomInteger(0, 10, new Shape(5), ai.djl.ndarray.types.DataType.INT64);
        float[] actual = disturbed.train(data, Monitor.quiet());
        assertArrayEquals(expected, actual, "losses");
        assertArrayEquals(weights(plain.network()), weights(disturbed.network()), "weights");
        assertArrayEquals(weights(plain.ema()), weights(disturbed.ema()), "EMA");
    }

    @Test
    void nullArgumentsAreRefusedByName() {
        EpsMlp network = new EpsMlp(2, 8, 1, 4);
        network.initialize(manager);
        Objective simple = SimpleLoss.objective(network, FORWARD);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(manager, network, network, null, config(1, 1, 1e-3, null)));
        assertEquals("objective is null", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Trainer(manager, network, network, simple, null));
        assertThrows(IllegalArgumentException.class, () -> new Trainer(null, network, network, simple, config(1, 1, 1e-3, null)));
    }
}
