package diffusion.train;

import diffusion.Arguments;
import java.nio.file.Path;

/**
 * Budget and hyper-parameters of one training run. checkpoint may be null (no checkpoints);
 * otherwise the EMA weights are written there every checkpointEvery steps and at the end.
 */
public record TrainingConfig(
        int steps, int batchSize, double learningRate, double emaDecay, long seed, int checkpointEvery, Path checkpoint) {

    public TrainingConfig {
        if (steps < 1) {
            throw new IllegalArgumentException("steps = " + steps + ": must be >= 1");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize = " + batchSize + ": must be >= 1");
        }
        if (!(learningRate > 0 && learningRate <= Float.MAX_VALUE)) {
            throw new IllegalArgumentException("learningRate = " + learningRate + ": must be > 0 and <= " + Float.MAX_VALUE
                    + " (Adam runs in float32)");
        }
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("emaDecay = " + emaDecay + ": must lie in [0, 1)");
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpointEvery = " + checkpointEvery + ": must be >= 1");
        }
    }

    /** Defaults for 2D toy data: batch 512, Adam with learning rate 1e-3, EMA decay 0.995, no checkpoint. */
    public static TrainingConfig of(int steps, long seed) {
        return new TrainingConfig(steps, 512, 1e-3, 0.995, seed, Math.max(1, steps / 10), null);
    }

    /** The same run, checkpointing to path. */
    public TrainingConfig withCheckpoint(Path path) {
        return new TrainingConfig(steps, batchSize, learningRate, emaDecay, seed, checkpointEvery, path);
    }

    /** The same run with another learning rate. */
    public TrainingConfig withLearningRate(double rate) {
        return new TrainingConfig(steps, batchSize, rate, emaDecay, seed, checkpointEvery, checkpoint);
    }
}
