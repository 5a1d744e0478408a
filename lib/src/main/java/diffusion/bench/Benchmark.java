package diffusion.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.Digits;
import diffusion.data.Toy2D;
import diffusion.nn.EpsMlp;
import diffusion.nn.UNet;
import diffusion.process.ReverseVariance;
import diffusion.report.Environment;
import diffusion.report.Results;
import diffusion.sample.GeneralisedReverse;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.ScoreModel;
import diffusion.train.EpsTrainer;
import diffusion.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `./workbench bench`: times the L_simple training step (batch 1024, the 2D eps-MLP) and DDPM sampling
 * (1000 steps, 10,000 points), and checks that resident memory stays flat over a long training run
 * (within 10% between 10% and 100% of the run) and over SAMPLE_RUNS sampling runs (DDPM, SAMPLE_RUN_STEPS steps of
 * SAMPLE_RUN_POINTS points each; within 10% between the 10th and the last run). Prints the machine and the settings
 * beside the numbers.
 * Then the image workloads: the UNet.forDigits() training step on batches of 128 digits (images/s, resident memory
 * flat within 10% between 10% and 100% of the run) and DDIM with 50 steps on a batch of generated 8x8 images
 * (images/s). Options: --steps N (the long run, default 5000), --samples N (default 10000), --image-steps N (the
 * UNet run, default 300), --image-samples N (the DDIM batch, default 256), --sample-runs N (default 100), --repeats R (default 0): R more
 * trainings of REPEAT_STEPS steps from the same seed in this JVM, reporting how many distinct loss sequences they gave
 * (1 means bitwise repeatable). `bench --compare ...` runs the side-by-side comparison with PyTorch instead (Compare).
 */
public final class Benchmark {

    private static final double FLAT_TOLERANCE = 0.10;

    /** Steps and points of each of the sampling runs over which memory must stay flat (--sample-runs). */
    private static final int SAMPLE_RUN_STEPS = 10;
    private static final int SAMPLE_RUN_POINTS = 1000;

    /** Steps of each repeated training run (--repeats). */
    private static final int REPEAT_STEPS = 1000;

    private Benchmark() {
    }

    /** Runs the benchmark (see the class comment); `--compare ...` runs the comparison with PyTorch instead (Compare). */
    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--compare")) {
            Compare.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        int steps = intOption(args, "--steps", 10_000);
        int samples = intOption(args, "--samples", 10_000);
        int repeats = intOption(args, "--repeats", 0);
        int imageSteps = intOption(args, "--image-steps", 300);
        int imageSamples = intOption(args, "--image-samples", 256);
        int sampleRuns = intOption(args, "--sample-runs", 100);
        int batch = 1024;
        int T = 1000;
        System.out.println("# diffusion-workbench benchmark");
        System.out.println(Environment.describe(0).replaceAll("<[^>]+>", "").strip());
        System.out.println("cpu: " + cpuModel());
        System.out.printf("settings: EpsMlp(2, width 128, depth 3, embedding 32), linear schedule T = %d, batch %d, Adam 1e-3, "
                + "long run %d steps, sampling %d points; PyTorch threads %s, MKL_CBWR %s; load average %s%n", T, batch, steps, samples,
                System.getProperty("ai.djl.pytorch.num_threads", "default"), System.getenv().getOrDefault("MKL_CBWR", "unset"),
                Compare.loadAverage());
        NoiseSchedule schedule = NoiseSchedule.linear(T);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray data = Toy2D.eightGaussians().sample(manager, 100_000, 1);
            var trainer = new EpsTrainer<>(manager, EpsMlp.forDim(2), schedule,
                    new TrainingConfig(steps, batch, 1e-3, 0.995, 1, steps, null));
            long[] rss = new long[2];
            long start = System.nanoTime();
            long timedFrom = 0;
            for (int i = 1; i <= steps; i++) {
                trainer.step(data);
                if (i == steps / 10) {
                    rss[0] = residentKb("VmRSS");
                    timedFrom = System.nanoTime();
                }
            }
            rss[1] = residentKb("VmRSS");
            double trainSeconds = (System.nanoTime() - timedFrom) / 1e9;
            double stepsPerSecond = (steps - steps / 10) / trainSeconds;
            System.out.printf("training: %.1f steps/s (%.2f ms/step), %d steps in %.1f s%n",
                    stepsPerSecond, 1000 / stepsPerSecond, steps, (System.nanoTime() - start) / 1e9);

            long sampleStart = System.nanoTime();
            GeneralisedReverse.ddpm(ReverseVariance.BETA_TILDE).sample(manager, trainer.scoreModel(),
                    TimeGrid.full(schedule), Noise.seeded(2), Monitor.quiet(), samples).samples().close();
            double sampleSeconds = (System.nanoTime() - sampleStart) / 1e9;
            System.out.printf("sampling: %d steps x %d points in %.2f s (%.1f steps/s)%n", T, samples, sampleSeconds, T / sampleSeconds);

            double growth = (double) (rss[1] - rss[0]) / rss[0];
            System.out.printf("memory: resident %.1f MB at 10%% of training, %.1f MB at 100%% (%+.1f%%), peak %.1f MB%n",
                    rss[0] / 1024.0, rss[1] / 1024.0, 100 * growth, residentKb("VmHWM") / 1024.0);
            boolean flat = Math.abs(growth) <= FLAT_TOLERANCE;
            System.out.println("memory flat within 10%: " + (flat ? "yes" : "NO"));
            flat &= samplingMemoryFlat(manager, trainer.scoreModel(), schedule, sampleRuns);
            if (repeats > 0) {
                Map<Integer, Integer> runs = new LinkedHashMap<>(); // hash of the losses -> how many runs gave it
                for (int r = 0; r < repeats; r++) {
                    var again = new EpsTrainer<>(manager, EpsMlp.forDim(2), schedule,
                            new TrainingConfig(REPEAT_STEPS, batch, 1e-3, 0.995, 1, REPEAT_STEPS, null));
                    float[] losses = new float[REPEAT_STEPS];
                    for (int i = 0; i < REPEAT_STEPS; i++) {
                        losses[i] = again.step(data);
                    }
                    runs.merge(Arrays.hashCode(losses), 1, Integer::sum);
                }
                System.out.printf("repeatability: %d trainings of %d steps from the same seed gave %d distinct loss sequences %s%n",
                        repeats, REPEAT_STEPS, runs.size(), runs.values());
            }
            boolean imageFlat = images(manager, schedule, imageSteps, imageSamples);
            if (!flat || !imageFlat) {
                System.exit(1);
            }
        }
    }

    /**
     * The image workloads: UNet.forDigits() trained with L_simple on the digits' training split (batch 128) for steps
     * steps, then DDIM (eta = 0, 50 respaced steps) on samples images; prints images/s and the resident memory at 10%
     * and 100% of the training run; returns whether it stayed flat within 10%.
     */
    private static boolean images(NDManager manager, NoiseSchedule schedule, int steps, int samples) throws IOException {
        int batch = 128;
        try (NDManager scope = manager.newSubManager()) {
            NDArray digits = Digits.load(Results.repoRoot().resolve(Digits.FILE)).train().images(scope);
            var trainer = new EpsTrainer<>(scope, UNet.forDigits(), schedule, new TrainingConfig(steps, batch, 1e-3, 0.995, 1, steps, null));
            System.out.printf("image settings: UNet.forDigits() (%d parameters), 8x8 digits, batch %d, Adam 1e-3, %d steps; DDIM 50 steps on %d images%n",
                    trainer.network().parameterCount(), batch, steps, samples);
            long[] rss = new long[2];
            long start = System.nanoTime();
            long timedFrom = 0;
            for (int i = 1; i <= steps; i++) {
                trainer.step(digits);
                if (i == steps / 10) {
                    rss[0] = residentKb("VmRSS");
                    timedFrom = System.nanoTime();
                }
            }
            rss[1] = residentKb("VmRSS");
            double seconds = (System.nanoTime() - timedFrom) / 1e9;
            double stepsPerSecond = (steps - steps / 10) / seconds;
            System.out.printf("UNet training: %.2f steps/s (%.0f ms/step, %.0f images/s), %d steps in %.1f s%n", stepsPerSecond,
                    1000 / stepsPerSecond, batch * stepsPerSecond, steps, (System.nanoTime() - start) / 1e9);
            long sampleStart = System.nanoTime();
            try (NDArray x = GeneralisedReverse.ddim(0).sample(scope, trainer.scoreModel(), TimeGrid.of(Timesteps.uniform(schedule, 50)),
                    Noise.seeded(3), Monitor.quiet(), samples).samples()) {
                x.sum().getFloat(); // wait for the result
            }
            double sampleSeconds = (System.nanoTime() - sampleStart) / 1e9;
            System.out.printf("DDIM 50 steps: %d images in %.2f s (%.1f images/s, %.1f network evaluations of the batch per s)%n",
                    samples, sampleSeconds, samples / sampleSeconds, 50 / sampleSeconds);
            double growth = (double) (rss[1] - rss[0]) / rss[0];
            System.out.printf("image memory: resident %.1f MB at 10%% of the UNet run, %.1f MB at 100%% (%+.1f%%), peak %.1f MB%n",
                    rss[0] / 1024.0, rss[1] / 1024.0, 100 * growth, residentKb("VmHWM") / 1024.0);
            boolean flat = Math.abs(growth) <= FLAT_TOLERANCE;
            System.out.println("image memory flat within 10%: " + (flat ? "yes" : "NO"));
            return flat;
        }
    }

    /**
     * runs DDPM runs of SAMPLE_RUN_STEPS steps on SAMPLE_RUN_POINTS points; prints the resident memory after a tenth
     * of them and after the last, and returns whether it stayed within 10%.
     */
    private static boolean samplingMemoryFlat(NDManager manager, ScoreModel model, NoiseSchedule schedule, int runs)
            throws IOException {
        TimeGrid grid = TimeGrid.of(Timesteps.uniform(schedule, SAMPLE_RUN_STEPS));
        long first = 0;
        long start = System.nanoTime();
        for (int run = 1; run <= runs; run++) {
            try (NDManager scope = manager.newSubManager()) {
                GeneralisedReverse.ddpm(ReverseVariance.BETA_TILDE).sample(scope, model, grid, Noise.seeded(run), Monitor.quiet(),
                        SAMPLE_RUN_POINTS).samples().sum().getFloat();
            }
            if (run == runs / 10) {
                first = residentKb("VmRSS");
            }
        }
        long last = residentKb("VmRSS");
        double growth = (double) (last - first) / first;
        boolean flat = Math.abs(growth) <= FLAT_TOLERANCE;
        System.out.printf("sampling memory: %d DDPM runs of %d steps x %d points in %.1f s, resident %.1f MB after run %d, %.1f MB after "
                + "run %d (%+.1f%%); flat within 10%%: %s%n", runs, SAMPLE_RUN_STEPS, SAMPLE_RUN_POINTS, (System.nanoTime() - start) / 1e9,
                first / 1024.0, runs / 10, last / 1024.0, runs, 100 * growth, flat ? "yes" : "NO");
        return flat;
    }

    /** The value of option name (--steps, --samples or --repeats), or fallback; anything else is an error. */
    private static int intOption(String[] args, String name, int fallback) {
        int value = fallback;
        for (int i = 0; i < args.length; i += 2) {
            if (!List.of("--steps", "--samples", "--repeats", "--image-steps", "--image-samples", "--sample-runs").contains(args[i]) || i + 1 == args.length) {
                throw new IllegalArgumentException("bad argument " + args[i]
                        + ": usage: bench [--steps N] [--samples N] [--image-steps N] [--image-samples N] [--sample-runs N] [--repeats R]"
                        + " | bench --compare [--quick] [--rounds R] [--sample-steps K] [--threads 1,2] [--python PATH]");
            }
            if (args[i].equals(name)) {
                value = Integer.parseInt(args[i + 1]);
            }
        }
        int minimum = name.equals("--repeats") ? 0 : 10;
        if (value < minimum) {
            throw new IllegalArgumentException(name + " = " + value + ": must be >= " + minimum);
        }
        return value;
    }

    /** A field of /proc/self/status in kB (VmRSS: resident now, VmHWM: peak resident). */
    private static long residentKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException(field + " not found in /proc/self/status");
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown")
                + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }
}
