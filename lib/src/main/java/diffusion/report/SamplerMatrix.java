package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.analytic.AnalyticDpm;
import diffusion.analytic.EpsMoment;
import diffusion.data.GaussianMixture;
import diffusion.metrics.ModeMoments;
import diffusion.metrics.MonteCarlo;
import diffusion.ode.DormandPrince;
import diffusion.ode.Euler;
import diffusion.ode.Heun;
import diffusion.process.NonMarkovianPosterior;
import diffusion.process.ReverseVariance;
import diffusion.sample.GeneralisedReverse;
import diffusion.sample.Sampler;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.ScoreModel;
import diffusion.sde.LangevinCorrector;
import diffusion.sde.Predictor;
import diffusion.sde.PredictorCorrector;
import diffusion.sde.ProbabilityFlow;
import diffusion.sde.SubVpSde;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sampler-matrix experiment: every sampler of the core on every kernel (discrete linear and cosine, VP, sub-VP,
 * VE), run on the exact oracle of Gaussian-mixture data, so that what is measured is the sampler's own error. The
 * error is the per-mode moment distance (ModeMoments: cell fractions, means and standard deviations around the
 * target's modes) between n samples and a reference of 4 n exact draws from the target law p_{t_N} (the data for a
 * grid that ends at t = 0); its Monte Carlo floor is the same distance for n exact draws, repeated R = 10 times (mean
 * and standard deviation). Verdict: "ok" when error &lt;= floor mean + 4 floor sd, "biased" otherwise, "refused" (with
 * the library's message) for a sampler/kernel pair the mathematics does not allow. One deliberately wrong sampler
 * (DDPM with 1.5 times the posterior standard deviation) is the negative control that shows the error can see a
 * defect at this n.
 */
public final class SamplerMatrix {

    /** The noise levels of the continuous grids end here (the score is undefined at t = 0). */
    public static final double END_TIME = 1e-3;

    private static final int REFERENCE_FACTOR = 4;
    private static final int FLOOR_REPEATS = 10;

    private SamplerMatrix() {
    }

    /** One row of the matrix. */
    public record Row(String data, String sampler, String kernel, String grid, int nfe, double error, double floor,
            double floorSd, String verdict, String message) {

        /** Refuses a null component, naming it. */
        public Row {
            Arguments.allNonNull("data, sampler, kernel, grid, verdict, message",
                    data, sampler, kernel, grid, verdict, message);
        }
    }

    /** A sampler and its grid for a model, or an IllegalArgumentException when the pair is refused. */
    @FunctionalInterface
    public interface Entry {
        Run make(ScoreModel model, NDArray data);
    }

    /** The sampler with the grid it runs on. */
    public record Run(Sampler sampler, TimeGrid grid) {

        /** Refuses a null component, naming it. */
        public Run {
            Arguments.allNonNull("sampler, grid", sampler, grid);
        }
    }

    /** The five kernels, by name: discrete linear and cosine (T = 1000), VP and sub-VP (0.1, 20), VE (0.01, 50). */
    public static Map<String, PerturbationKernel> kernels() {
        Map<String, PerturbationKernel> kernels = new LinkedHashMap<>();
        kernels.put("discrete linear", NoiseSchedule.linear(1000));
        kernels.put("discrete cosine", NoiseSchedule.cosine(1000));
        kernels.put("VP", new VpSde(0.1, 20));
        kernels.put("sub-VP", new SubVpSde(0.1, 20));
        kernels.put("VE", new VeSde(0.01, 50));
        return kernels;
    }

    /**
     * The default grid of a kernel for N steps: a uniform sub-sequence of a discrete schedule (down to the data), N
     * uniform steps in t down to END_TIME for an SDE.
     */
    public static TimeGrid grid(PerturbationKernel kernel, int N) {
        return kernel instanceof NoiseSchedule schedule ? TimeGrid.of(Timesteps.uniform(schedule, N)) : TimeGrid.uniform(kernel, N, END_TIME);
    }

    /** The samplers, by name, each on the default grid of N steps (ODE solvers on N / 2 for a comparable NFE). */
    public static Map<String, Entry> samplers(int N) {
        Map<String, Entry> samplers = new LinkedHashMap<>();
        samplers.put("DDPM (beta)", (model, data) -> new Run(GeneralisedReverse.ddpm(ReverseVariance.BETA), grid(model.kernel(), N)));
        samplers.put("DDPM (betaTilde)", (model, data) -> new Run(GeneralisedReverse.ddpm(ReverseVariance.BETA_TILDE), grid(model.kernel(), N)));
        samplers.put("DDIM (eta = 0)", (model, data) -> new Run(GeneralisedReverse.ddim(0), grid(model.kernel(), N)));
        samplers.put("DDIM (eta = 0.5)", (model, data) -> new Run(GeneralisedReverse.ddim(0.5), grid(model.kernel(), N)));
        samplers.put("Analytic-DDPM", (model, data) -> analytic(model, data, 1, N));
        samplers.put("Euler-Maruyama", (model, data) -> new Run(PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA), grid(model.kernel(), N)));
        samplers.put("reverse diffusion", (model, data) -> new Run(PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION), grid(model.kernel(), N)));
        samplers.put("ancestral", (model, data) -> new Run(PredictorCorrector.predictorOnly(Predictor.ANCESTRAL), grid(model.kernel(), N)));
        samplers.put("PC (reverse diffusion + Langevin r = 0.16)", (model, data) ->
                new Run(PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, LangevinCorrector.snr(0.16, 1)), grid(model.kernel(), N)));
        samplers.put("flow: Euler in t", (model, data) -> new Run(new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.T), grid(model.kernel(), N)));
        samplers.put("flow: Heun in t", (model, data) -> new Run(new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.T), grid(model.kernel(), N / 2)));
        samplers.put("flow: RK45 in t", (model, data) ->
                new Run(new ProbabilityFlow(DormandPrince.withTolerance(1e-4), ProbabilityFlow.Time.T), grid(model.kernel(), 1)));
        samplers.put("flow: Euler in sigma", (model, data) -> new Run(new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.SIGMA), grid(model.kernel(), N)));
        samplers.put("flow: Heun in sigma", (model, data) -> new Run(new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.SIGMA), grid(model.kernel(), N / 2)));
        samplers.put("control: DDPM with 1.5 x sigma", (model, data) -> new Run(GeneralisedReverse.of(1,
                (kernel, t, s) -> 2.25 * NonMarkovianPosterior.posteriorVariance(kernel, t, s), "control"), grid(model.kernel(), N)));
        return samplers;
    }

    /** Analytic-DPM on a uniform K-step trajectory, Gamma_t estimated from M = 500 draws of the data per step. */
    private static Run analytic(ScoreModel model, NDArray data, double eta, int K) {
        EpsMoment moment = new EpsMoment(model, data, 500, 11); // refuses a continuous kernel
        Timesteps steps = Timesteps.uniform((NoiseSchedule) model.kernel(), K);
        double unboundedData = Double.POSITIVE_INFINITY;
        boolean lastStepCorrection = false;
        AnalyticDpm dpm = AnalyticDpm.of(steps, eta, moment, unboundedData, lastStepCorrection);
        return new Run(dpm.sampler(), dpm.grid());
    }

    /** Every (sampler, kernel) pair on the oracle of data, n samples each, seeded; progress per row on the monitor. */
    public static List<Row> run(NDManager manager, String dataName, GaussianMixture data, Map<String, Entry> samplers,
            Map<String, PerturbationKernel> kernels, int n, long seed, Monitor monitor) {
        List<Row> rows = new ArrayList<>();
        monitor.start("sampler matrix (" + dataName + ")", (long) samplers.size() * kernels.size());
        try (NDManager scope = manager.newSubManager()) {
            NDArray train = data.sample(scope, 2000, seed + 1);
            for (Map.Entry<String, PerturbationKernel> kernel : kernels.entrySet()) {
                ScoreModel oracle = new GaussianMixtureOracle(data, kernel.getValue());
                for (Map.Entry<String, Entry> sampler : samplers.entrySet()) {
                    rows.add(row(scope, dataName, data, oracle, kernel.getKey(), sampler.getKey(), sampler.getValue(), train, n, seed));
                    monitor.step(rows.size(), Double.NaN, null, sampler.getKey() + " on " + kernel.getKey());
                }
            }
        } finally {
            monitor.end();
        }
        return rows;
    }

    private static Row row(NDManager manager, String dataName, GaussianMixture data, ScoreModel oracle, String kernelName,
            String samplerName, Entry entry, NDArray train, int n, long seed) {
        try (NDManager scope = manager.newSubManager()) {
            Run run = entry.make(oracle, train);
            Sampler.Result result = run.sampler().sample(scope, oracle, run.grid(), Noise.seeded(seed), Monitor.quiet(), n);
            PerturbationKernel kernel = oracle.kernel();
            double end = run.grid().end();
            GaussianMixture target = kernel.std(end) > 0 ? data.diffuse(kernel.meanScale(end), kernel.std(end)) : data;
            double[][] modes = target.means();
            ModeMoments.Cells reference = ModeMoments.of(target.sample(scope, REFERENCE_FACTOR * n, seed + 2), modes);
            double error = ModeMoments.distance(ModeMoments.of(result.samples(), modes), reference);
            double[] floors = new double[FLOOR_REPEATS];
            for (int r = 0; r < FLOOR_REPEATS; r++) {
                floors[r] = ModeMoments.distance(ModeMoments.of(target.sample(scope, n, seed + 10 + r), modes), reference);
            }
            MonteCarlo.Estimate floor = MonteCarlo.estimate(floors);
            double floorSd = floor.standardError() * Math.sqrt(FLOOR_REPEATS);
            String verdict = error <= floor.mean() + 4 * floorSd ? "ok" : "biased";
            return new Row(dataName, samplerName, kernelName, gridName(run.grid()), result.nfe(), error, floor.mean(), floorSd, verdict, "");
        } catch (IllegalArgumentException refused) { // every sampler refuses a pair before any work
            return new Row(dataName, samplerName, kernelName, "-", 0, Double.NaN, Double.NaN, Double.NaN, "refused", String.valueOf(refused.getMessage()));
        }
    }

    /** "N = 100, 1000 -> 0" and the like. */
    private static String gridName(TimeGrid grid) {
        return "N = " + grid.steps() + ", " + Tables.format(grid.start()) + " -> " + Tables.format(grid.end());
    }

    /**
     * The matrix as a picture: one row per sampler, one column per kernel; a cell is green (ok), orange (biased) or grey
     * (refused) and shows error / floor.
     */
    public static BufferedImage heatmap(String title, List<Row> rows) {
        List<String> samplers = rows.stream().map(Row::sampler).distinct().toList();
        List<String> kernels = rows.stream().map(Row::kernel).distinct().toList();
        int label = 300, cell = 112, height = 24, top = 56;
        BufferedImage image = new BufferedImage(label + cell * kernels.size() + 10,
                top + height * samplers.size() + 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 8, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int j = 0; j < kernels.size(); j++) {
            g.drawString(kernels.get(j), label + j * cell + 6, top - 8);
        }
        for (int i = 0; i < samplers.size(); i++) {
            g.setColor(Color.BLACK);
            g.drawString(samplers.get(i), 8, top + i * height + 16);
            for (int j = 0; j < kernels.size(); j++) {
                String sampler = samplers.get(i), kernel = kernels.get(j);
                Row row = rows.stream().filter(r -> r.sampler().equals(sampler) && r.kernel().equals(kernel)).findFirst().orElseThrow();
                g.setColor(switch (row.verdict()) {
                    case "ok" -> new Color(170, 220, 170);
                    case "biased" -> new Color(245, 180, 110);
                    default -> new Color(215, 215, 215);
                });
                g.fillRect(label + j * cell + 1, top + i * height + 1, cell - 2, height - 2);
                g.setColor(Color.BLACK);
                String text = row.verdict().equals("refused") ? "refused" : Tables.format(row.error() / row.floor()) + " x floor";
                g.drawString(text, label + j * cell + 8, top + i * height + 16);
            }
        }
        g.drawString("cell: error / Monte Carlo floor (per-mode moment distance); green ok, orange biased (error > floor + 4 sd), grey refused", 8,
                top + height * samplers.size() + 20);
        g.dispose();
        return image;
    }

    /** The rows as a table with the columns sampler, kernel, grid, nfe, error, floor, verdict (and data, floor_sd, message). */
    public static Tables.Builder table(String name, List<Row> rows) {
        Arguments.allNonNull("name, rows", name, rows);
        Tables.Builder table = Tables.of(name, "data", "sampler", "kernel", "grid", "nfe", "error", "floor", "floor_sd", "verdict", "message");
        for (Row row : rows) {
            table.row(row.data(), row.sampler(), row.kernel(), row.grid(), row.nfe(), row.error(), row.floor(), row.floorSd(),
                    row.verdict(), row.message());
        }
        return table;
    }
}
