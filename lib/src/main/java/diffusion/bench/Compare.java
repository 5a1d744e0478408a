package diffusion.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.Digits;
import diffusion.data.FashionMnist;
import diffusion.data.Toy2D;
import diffusion.nn.EpsMlp;
import diffusion.nn.TimeNetwork;
import diffusion.nn.UNet;
import diffusion.process.ReverseVariance;
import diffusion.report.Results;
import diffusion.sample.GeneralisedReverse;
import diffusion.sample.Sampler;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.ScoreModel;
import diffusion.train.EpsTrainer;
import diffusion.train.TrainingConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * `./workbench bench --compare`: the benchmark's workloads in the workbench (DJL) and in PyTorch eager
 * (tools/bench/torch_twin.py, run by /usr/bin/python3 as a server), alternating the two sides `rounds` times at each
 * thread count (the side that goes first alternates too), and per workload the median of each side, the ratio
 * workbench / PyTorch, the flops per unit of work (FlopCount) and the rate each side achieves against its own measured
 * float32 matrix-multiply rate (a 2048 x 2048 product, measured in the same run at the same threads). The load average
 * (/proc/loadavg) is printed beside every round. Without a usable PyTorch (not installed, or on the reference BLAS) it
 * says what is missing and runs the workbench side alone.
 */
final class Compare {

    /** The largest ratio workbench / PyTorch the issue asks for on the 2D workloads, and on the image workloads. */
    private static final double TARGET_2D = 0.5;
    private static final double TARGET_IMAGES = 1.0;
    /** The 2D sampling target: within this factor of the matrix-multiply limit. */
    private static final double TARGET_LIMIT_FACTOR = 3;
    private static final int MATMUL_SIZE = 2048;
    private static final int T = 1000;

    /** The settings of one --compare run. */
    record Options(int rounds, int sampleSteps, int trainSteps, int unetSteps, int images, int[] threads, String python) {

        static Options parse(String[] args) {
            boolean quick = Arrays.asList(args).contains("--quick");
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--quick")) {
                    continue;
                }
                if (!List.of("--rounds", "--sample-steps", "--threads", "--python").contains(args[i]) || i + 1 == args.length) {
                    throw new IllegalArgumentException("bad argument " + args[i] + ": usage: bench --compare [--quick] [--rounds R] "
                            + "[--sample-steps K] [--threads 1,2] [--python PATH]");
                }
                values.put(args[i], args[++i]);
            }
            int rounds = positive("--rounds", values.getOrDefault("--rounds", quick ? "2" : "3"));
            int sampleSteps = positive("--sample-steps", values.getOrDefault("--sample-steps", quick ? "50" : "1000"));
            if (T % sampleSteps != 0) {
                throw new IllegalArgumentException("--sample-steps = " + sampleSteps + ": must divide T = " + T + " (a uniform respacing)");
            }
            int[] threads = Arrays.stream(values.getOrDefault("--threads", "1,2").split(",")).mapToInt(s -> positive("--threads", s)).toArray();
            return new Options(rounds, sampleSteps, quick ? 10 : 30, quick ? 1 : 4, quick ? 32 : 256, threads,
                    values.getOrDefault("--python", "/usr/bin/python3"));
        }

        private static int positive(String name, String value) {
            int n;
            try {
                n = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " = " + value + ": must be an integer >= 1");
            }
            if (n < 1) {
                throw new IllegalArgumentException(name + " = " + value + ": must be an integer >= 1");
            }
            return n;
        }
    }

    /**
     * One workload: its name, the unit it is timed in, the Java side (seconds per unit), the PyTorch command and the
     * field of its answer, the target ratio and the flops per unit.
     */
    private record Workload(String name, String unit, Timed java, JsonObject command, String field, double target, double flops,
            long parameters) {
    }

    @FunctionalInterface
    private interface Timed {
        double seconds();
    }

    private Compare() {
    }

    /** Runs the comparison with the given options (see Options.parse); prints the report to standard output. */
    static void run(String[] args) throws IOException {
        Options options = Options.parse(args);
        NoiseSchedule schedule = NoiseSchedule.linear(T);
        System.out.println("# diffusion-workbench benchmark: workbench (DJL) against PyTorch eager");
        System.out.printf("settings: %d rounds per thread count %s, the sides alternating (first side alternates per round); "
                + "2D: EpsMlp(2, width 128, depth 3, embedding 32), batch 1024, Adam 1e-3, EMA 0.995 on both sides, %d steps per round; "
                + "DDPM (beta-tilde) %d steps of 10000 points; UNet steps per round %d, batch 128; DDIM 50 steps on %d images; "
                + "ONEDNN_MAX_CPU_ISA %s (both sides), MKL_CBWR %s (the workbench's MKL)%n", options.rounds(), Arrays.toString(options.threads()), options.trainSteps(),
                options.sampleSteps(), options.unetSteps(), options.images(), System.getenv().getOrDefault("ONEDNN_MAX_CPU_ISA", "unset"),
                System.getenv().getOrDefault("MKL_CBWR", "unset"));
        System.out.println("data: the 2D side draws from Toy2D.eightGaussians() (PyTorch: standard normal points; the values do not change the time); "
                + "images: the digits of datasets/digits.csv.gz and Fashion-MNIST's t10k images on both sides");
        try (Twin twin = Twin.start(options.python()); NDManager manager = NDManager.newBaseManager()) {
            List<Workload> workloads = workloads(manager, schedule, options);
            for (Workload w : workloads) {
                System.out.printf("%-22s %.4g GFLOP per %s (%s), %d parameters in the workbench%n", w.name(), w.flops() / 1e9, w.unit(),
                        "matmul/conv flops from the architecture", w.parameters());
            }
            Map<String, List<double[]>> times = new LinkedHashMap<>(); // name@threads -> rounds of {java, torch}
            Map<Integer, double[]> matmul = new LinkedHashMap<>(); // threads -> {DJL, torch} GFLOP/s
            for (int threads : options.threads()) {
                JniUtils.setNumThreads(threads);
                matmul.put(threads, new double[] {djlMatmulGflops(manager), twin.gflops(threads)});
                for (int round = 0; round < options.rounds(); round++) {
                    System.out.printf("round %d/%d at %d thread(s), load average %s%n", round + 1, options.rounds(), threads, loadAverage());
                    for (Workload w : workloads) {
                        double[] pair = new double[2];
                        boolean javaFirst = round % 2 == 0;
                        if (!javaFirst) {
                            pair[1] = twin.seconds(w, threads);
                        }
                        pair[0] = w.java().seconds();
                        if (javaFirst) {
                            pair[1] = twin.seconds(w, threads);
                        }
                        times.computeIfAbsent(w.name() + "@" + threads, k -> new ArrayList<>()).add(pair);
                    }
                }
            }
            report(workloads, options, times, matmul, twin);
            finitenessChecks(workloads, manager);
        }
    }

    private static List<Workload> workloads(NDManager manager, NoiseSchedule schedule, Options options) throws IOException {
        List<Workload> list = new ArrayList<>();
        NDArray toy = Toy2D.eightGaussians().sample(manager, 100_000, 1);
        var mlp = new EpsTrainer<>(manager, EpsMlp.forDim(2), schedule, new TrainingConfig(1, 1024, 1e-3, 0.995, 1, 1, null));
        double mlpForward = FlopCount.forwardPerSample(mlp.network());
        list.add(new Workload("2D training step", "step", () -> perStep(() -> mlp.step(toy), options.trainSteps()),
                command("mlp_train", "batch", 1024, "steps", options.trainSteps()), "seconds_per_step", TARGET_2D,
                1024 * FlopCount.trainingPerSample(mlp.network()), parameters(mlp.network())));
        Sampler ddpm = GeneralisedReverse.ddpm(ReverseVariance.BETA_TILDE);
        TimeGrid grid = TimeGrid.of(Timesteps.uniform(schedule, options.sampleSteps()));
        ScoreModel toyModel = mlp.scoreModel();
        TimeGrid warmUp = TimeGrid.of(Timesteps.uniform(schedule, 2));
        list.add(new Workload("2D DDPM sampling", "run", () -> warmedUp(() -> sample(manager, ddpm, toyModel, warmUp, 10_000),
                () -> sample(manager, ddpm, toyModel, grid, 10_000)),
                command("ddpm_sample", "points", 10_000, "steps", options.sampleSteps()), "seconds", TARGET_2D,
                10_000.0 * options.sampleSteps() * mlpForward, parameters(mlp.network())));
        NDArray digits = Digits.load(Results.repoRoot().resolve(Digits.FILE)).train().images(manager);
        var unet = new EpsTrainer<>(manager, UNet.forDigits(), schedule, new TrainingConfig(1, 128, 1e-3, 0.995, 1, 1, null));
        list.add(new Workload("UNet step, digits", "step", () -> perStep(() -> unet.step(digits), options.unetSteps()),
                command("unet_train", "dataset", "digits", "batch", 128, "steps", options.unetSteps()), "seconds_per_step", TARGET_IMAGES,
                128 * FlopCount.trainingPerSample(unet.network()), unet.network().parameterCount()));
        if (fashionMnistPresent()) {
            NDArray fashion = FashionMnist.read(FashionMnist.DIRECTORY, "t10k").images(manager);
            var big = new EpsTrainer<>(manager, UNet.forFashionMnist(), schedule, new TrainingConfig(1, 128, 1e-3, 0.995, 1, 1, null));
            int steps = Math.max(1, options.unetSteps() / 2);
            list.add(new Workload("UNet step, Fashion", "step", () -> perStep(() -> big.step(fashion), steps),
                    command("unet_train", "dataset", "fashion", "batch", 128, "steps", steps), "seconds_per_step", TARGET_IMAGES,
                    128 * FlopCount.trainingPerSample(big.network()), big.network().parameterCount()));
        } else {
            System.out.println("Fashion-MNIST workload skipped: " + FashionMnist.INSTALL);
        }
        Sampler ddim = GeneralisedReverse.ddim(0);
        TimeGrid fifty = TimeGrid.of(Timesteps.uniform(schedule, 50));
        ScoreModel digitsModel = unet.scoreModel();
        list.add(new Workload("DDIM 50, digits", "run", () -> warmedUp(() -> sample(manager, ddim, digitsModel, warmUp, options.images()),
                () -> sample(manager, ddim, digitsModel, fifty, options.images())),
                command("ddim", "dataset", "digits", "images", options.images(), "steps", 50), "seconds", TARGET_IMAGES,
                50.0 * options.images() * FlopCount.forwardPerSample(unet.network()), unet.network().parameterCount()));
        return list;
    }

    private static void report(List<Workload> workloads, Options options, Map<String, List<double[]>> times,
            Map<Integer, double[]> matmul, Twin twin) {
        System.out.println();
        System.out.printf("matrix multiply (%d x %d float32), GFLOP/s:%n", MATMUL_SIZE, MATMUL_SIZE);
        matmul.forEach((threads, rate) -> System.out.printf("  %d thread(s): DJL %.1f, PyTorch %s%n", threads, rate[0], rate(rate[1])));
        System.out.printf("%n%-22s %7s %12s %12s %7s %22s %22s  %s%n", "workload", "threads", "workbench", "PyTorch", "ratio",
                "workbench GFLOP/s (%mm)", "PyTorch GFLOP/s (%mm)", "target");
        for (int threads : options.threads()) {
            for (Workload w : workloads) {
                List<double[]> rounds = times.get(w.name() + "@" + threads);
                double java = median(rounds.stream().mapToDouble(p -> p[0]).toArray());
                double torch = median(rounds.stream().mapToDouble(p -> p[1]).toArray());
                double ratio = java / torch;
                double javaMin = Arrays.stream(rounds.stream().mapToDouble(p -> p[0]).toArray()).min().orElse(Double.NaN);
                double torchMin = Arrays.stream(rounds.stream().mapToDouble(p -> p[1]).toArray()).min().orElse(Double.NaN);
                double[] mm = matmul.get(threads);
                String target = Double.isNaN(ratio) ? "ratio not measured (no usable PyTorch)"
                        : String.format("ratio <= %.1f: %s", w.target(), ratio <= w.target() ? "met" : "NOT met");
                if (w.name().equals("2D DDPM sampling")) { // the machine's limit: the faster of the two measured matmul rates
                    double fraction = w.flops() / java / 1e9 / (Double.isNaN(mm[1]) ? mm[0] : Math.max(mm[0], mm[1]));
                    target += String.format("; within %.0fx of the machine's matmul limit (the faster side's): %s (%.1fx)",
                            TARGET_LIMIT_FACTOR, fraction >= 1 / TARGET_LIMIT_FACTOR ? "met" : "NOT met", 1 / fraction);
                }
                System.out.printf("%-22s %7d %12s %12s %7s %22s %22s  %s%n", w.name(), threads, seconds(java, w.unit()),
                        seconds(torch, w.unit()), Double.isNaN(ratio) ? "-" : String.format("%.2f", ratio),
                        achieved(w.flops() / java, mm[0]), achieved(w.flops() / torch, mm[1]), target);
                System.out.printf("%-22s %7s %12s %12s %7s  (fastest round of each side)%n", "", "min", seconds(javaMin, w.unit()),
                        seconds(torchMin, w.unit()), Double.isNaN(torchMin) ? "-" : String.format("%.2f", javaMin / torchMin));
            }
        }
        System.out.printf("parameters: workbench / PyTorch %s; load average at the end %s%n", twin.parameterCounts(workloads), loadAverage());
    }

    /**
     * The cost of the Trainer's per-step finiteness checks (gradients, weights, EMA: a sum of (a - a) over every
     * parameter, one synchronisation each): Trainer has no switch to turn them off, so the same operations are timed
     * alone on the 2D network and its EMA and set against the whole step.
     */
    private static void finitenessChecks(List<Workload> workloads, NDManager manager) {
        JniUtils.setNumThreads(1);
        var trainer = new EpsTrainer<>(manager, EpsMlp.forDim(2), NoiseSchedule.linear(T), new TrainingConfig(1, 1024, 1e-3, 0.995, 1, 1, null));
        NDArray toy = Toy2D.eightGaussians().sample(manager, 100_000, 1);
        trainer.step(toy); // gradients exist from here on
        int repeats = 200;
        double step = perStep(() -> trainer.step(toy), repeats);
        double checks = perStep(() -> {
            finiteSum(trainer.network(), NDArray::getGradient);
            finiteSum(trainer.network(), w -> w);
            finiteSum(trainer.ema(), w -> w);
        }, repeats);
        System.out.printf("finiteness checks (Trainer, 2D step at batch 1024, 1 thread; timed alone, the Trainer has no switch): "
                + "%.3f ms of a %.3f ms step (%.1f%%), load average %s%n", 1e3 * checks, 1e3 * step, 100 * checks / step, loadAverage());
    }

    /** What Trainer's check does: sum over the parameters of sum(a - a), read once (NaN unless all are finite). */
    private static boolean finiteSum(Block block, Function<NDArray, NDArray> view) {
        try (NDScope scope = new NDScope()) {
            NDArray total = null;
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray a = view.apply(p.getValue().getArray());
                NDArray zero = a.sub(a).sum();
                total = total == null ? zero : total.add(zero);
            }
            return total == null || Float.isFinite(total.getFloat());
        }
    }

    private static void sample(NDManager manager, Sampler sampler, ScoreModel model, TimeGrid grid, int n) {
        try (NDManager scope = manager.newSubManager(); NDArray x = sampler.sample(scope, model, grid, Noise.seeded(2), Monitor.quiet(), n).samples()) {
            x.sum().getFloat(); // wait for the result
        }
    }

    private static double djlMatmulGflops(NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray a = scope.randomNormal(new ai.djl.ndarray.types.Shape(MATMUL_SIZE, MATMUL_SIZE));
            NDArray b = scope.randomNormal(new ai.djl.ndarray.types.Shape(MATMUL_SIZE, MATMUL_SIZE));
            double[] seconds = new double[3];
            a.matMul(b).close();
            for (int i = 0; i < seconds.length; i++) {
                seconds[i] = timed(() -> a.matMul(b).close());
            }
            return 2.0 * MATMUL_SIZE * MATMUL_SIZE * MATMUL_SIZE / median(seconds) / 1e9;
        }
    }

    /** Seconds per call of `steps` calls after one warm-up call. */
    private static double perStep(Runnable step, int steps) {
        step.run();
        return timed(() -> {
            for (int i = 0; i < steps; i++) {
                step.run();
            }
        }) / steps;
    }

    /** Seconds of work after an untimed warm-up (a 2-step run: the first evaluation's allocations and compilation). */
    private static double warmedUp(Runnable warmUp, Runnable work) {
        warmUp.run();
        return timed(work);
    }

    private static double timed(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static long parameters(TimeNetwork network) {
        return network.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
    }

    private static JsonObject command(String workload, Object... fields) {
        JsonObject json = new JsonObject();
        json.addProperty("workload", workload);
        for (int i = 0; i < fields.length; i += 2) {
            if (fields[i + 1] instanceof Number number) {
                json.addProperty((String) fields[i], number);
            } else {
                json.addProperty((String) fields[i], (String) fields[i + 1]);
            }
        }
        return json;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int k = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[k] : (sorted[k - 1] + sorted[k]) / 2;
    }

    private static String seconds(double value, String unit) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return value < 1 ? String.format("%.2f ms/%s", 1e3 * value, unit) : String.format("%.2f s/%s", value, unit);
    }

    private static String rate(double gflops) {
        return Double.isNaN(gflops) ? "-" : String.format("%.1f", gflops);
    }

    private static String achieved(double flopsPerSecond, double matmulGflops) {
        double gflops = flopsPerSecond / 1e9;
        return Double.isNaN(gflops) ? "-" : String.format("%.1f (%.0f%%)", gflops, 100 * gflops / matmulGflops);
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static boolean fashionMnistPresent() {
        for (String part : new String[] {"train-images-idx3-ubyte", "t10k-images-idx3-ubyte"}) {
            if (!Files.exists(FashionMnist.DIRECTORY.resolve(part + ".gz")) && !Files.exists(FashionMnist.DIRECTORY.resolve(part))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The PyTorch side: tools/bench/torch_twin.py serve, one JSON command per line; absent (every answer NaN) when torch
     * is missing or unusable, after saying why.
     */
    private static final class Twin implements AutoCloseable {

        private final Process process;
        private final PrintWriter in;
        private final BufferedReader out;
        private final Map<String, Long> parameters = new LinkedHashMap<>();

        private Twin(Process process) {
            this.process = process;
            this.in = process == null ? null : new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            this.out = process == null ? null : new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static Twin start(String python) throws IOException {
            Path script = Results.repoRoot().resolve("tools/bench/torch_twin.py");
            if (!Files.isExecutable(Path.of(python))) {
                System.out.println("PyTorch side skipped: " + python + " not found; install Python 3 and PyTorch with "
                        + "sudo apt-get install python3 python3-torch libopenblas0-pthread. Running the workbench side alone.");
                return new Twin(null);
            }
            Process process = new ProcessBuilder(python, script.toString(), "serve").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Twin twin = new Twin(process);
            String first = twin.out.readLine();
            JsonObject hello = first == null ? null : JsonParser.parseString(first).getAsJsonObject();
            if (hello == null || !hello.has("ready")) {
                String why = hello != null && hello.has("message") ? hello.get("message").getAsString() : "torch_twin.py exited without answering";
                System.out.println("PyTorch side skipped: " + why + ". Running the workbench side alone (ratios are not reported).");
                twin.close();
                return new Twin(null);
            }
            System.out.println("PyTorch side: torch " + hello.get("torch").getAsString() + ", BLAS " + hello.get("blas")
                    + ", 512x512 matmul " + hello.get("gflops_512_1thread") + " GFLOP/s on 1 thread");
            return twin;
        }

        double seconds(Workload w, int threads) {
            JsonObject answer = ask(w.command(), threads);
            if (answer == null) {
                return Double.NaN;
            }
            if (answer.has("parameters")) {
                parameters.put(w.name(), answer.get("parameters").getAsLong());
            }
            return answer.get(w.field()).getAsDouble();
        }

        double gflops(int threads) {
            JsonObject answer = ask(command("matmul", "n", MATMUL_SIZE), threads);
            return answer == null ? Double.NaN : answer.get("gflops").getAsDouble();
        }

        private JsonObject ask(JsonObject command, int threads) {
            if (process == null) {
                return null;
            }
            JsonObject sent = command.deepCopy();
            sent.addProperty("threads", threads);
            in.println(sent);
            try {
                String line = out.readLine();
                if (line == null) {
                    throw new IllegalStateException("torch_twin.py exited (status " + process.waitFor() + ") on " + sent);
                }
                JsonObject answer = JsonParser.parseString(line).getAsJsonObject();
                if (answer.has("error")) {
                    throw new IllegalStateException("torch_twin.py refused " + sent + ": " + answer.get("error").getAsString());
                }
                return answer;
            } catch (IOException e) {
                throw new IllegalStateException("torch_twin.py could not be read: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        String parameterCounts(List<Workload> workloads) {
            List<String> parts = new ArrayList<>();
            for (Workload w : workloads) {
                Long torch = parameters.get(w.name());
                parts.add(w.name() + " " + w.parameters() + " / " + (torch == null ? "-" : torch)
                        + (torch != null && torch != w.parameters() ? " (DIFFER)" : ""));
            }
            return String.join(", ", parts);
        }

        @Override
        public void close() {
            if (process != null) {
                in.close();
                try {
                    process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
