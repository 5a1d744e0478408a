package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.analytic.AnalyticDpm;
import diffusion.analytic.EpsMoment;
import diffusion.analytic.GaussianFlowMap;
import diffusion.data.GaussianMixture;
import diffusion.metrics.ModeMoments;
import diffusion.metrics.MonteCarlo;
import diffusion.ode.DormandPrince;
import diffusion.ode.Euler;
import diffusion.ode.Heun;
import diffusion.process.ReverseVariance;
import diffusion.sample.DpmSolver;
import diffusion.sample.DpmSolverPlusPlus;
import diffusion.sample.EdmHeun;
import diffusion.sample.GeneralisedReverse;
import diffusion.sample.Sampler;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.ScoreModel;
import diffusion.sde.ProbabilityFlow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.knowm.xchart.XYChart;

/**
 * The few-step study of notebook 11: the samplers of the frontier, each at an NFE budget B (its grid sized so that it
 * spends at most B evaluations), on the VP SDE (beta 0.1 to 20) and, for Analytic-DDIM, the discrete linear schedule
 * of 1000 steps that discretises it; and the deterministic solvers' error against the exact probability-flow map of
 * Gaussian data. Continuous grids end at END_TIME; Karras grids run from SIGMA_MAX down to sigma(END_TIME) with rho.
 */
public final class FastSamplerStudy {

    /** The last time of every continuous grid (sigma = 0.01 under the VP SDE). */
    public static final double END_TIME = 1e-3;

    /** The top of every Karras grid (EDM's sigma_max). */
    public static final double SIGMA_MAX = 80;

    private FastSamplerStudy() {
    }

    /** A sampler of the frontier: the row (name, sampler, grid) it runs at a budget B, and whether it needs the discrete chain. */
    public record Contender(String name, boolean discrete, IntFunction<SamplerComparison.Row> atBudget) {

        /** Refuses a null component, naming it. */
        public Contender {
            Arguments.allNonNull("name, atBudget", name, atBudget);
        }
    }

    /** One point of the frontier: a sampler at a budget, its NFE, its error per seed and its mean seconds per run. */
    public record Point(String sampler, int budget, int nfe, double[] errors, double seconds) {

        /** Refuses a null component, naming it. */
        public Point {
            Arguments.allNonNull("sampler, errors", sampler, errors);
        }

        /** The error's mean and standard error over the seeds. */
        public MonteCarlo.Estimate estimate() {
            return MonteCarlo.estimate(errors);
        }
    }

    /**
     * The per-mode moment distance D (metrics/ModeMoments, as in notebook 09) of a sample to a reference of exact
     * draws around the data's modes: cheap enough to score every point of the frontier at every seed.
     */
    public record ModeDistance(double[][] modes, ModeMoments.Cells reference) {

        /** Refuses a null component, naming it. */
        public ModeDistance {
            Arguments.allNonNull("modes, reference", modes, reference);
        }

        /** Against `size` exact draws of data (seeded), around its component means. */
        public static ModeDistance against(NDManager manager, GaussianMixture data, int size, long seed) {
            Arguments.allNonNull("manager, data", manager, data);
            try (NDManager scope = manager.newSubManager()) {
                return new ModeDistance(data.means(), ModeMoments.of(data.sample(scope, size, seed), data.means()));
            }
        }

        /** D(samples, reference). */
        public double of(NDArray samples) {
            return ModeMoments.distance(ModeMoments.of(samples, modes), reference);
        }

        /** The floor: D of `repeats` fresh exact samples of n points (seeds seed, seed + 1, ...), mean and SE. */
        public MonteCarlo.Estimate floor(NDManager manager, GaussianMixture data, int n, int repeats, long seed) {
            double[] values = new double[Arguments.atLeast("repeats", repeats, 2)];
            for (int r = 0; r < repeats; r++) {
                try (NDManager scope = manager.newSubManager()) {
                    values[r] = of(data.sample(scope, n, seed + r));
                }
            }
            return MonteCarlo.estimate(values);
        }
    }

    /** Karras et al.'s grid of N steps from SIGMA_MAX down to sigma(END_TIME) with rho. */
    public static TimeGrid karras(PerturbationKernel kernel, int N, double rho) {
        return TimeGrid.karras(kernel, N, kernel.sigma(END_TIME), SIGMA_MAX, rho);
    }

    /**
     * The contenders: DDIM (eta = 0) and DDPM (sigma^2 = betaTilde) on B uniform steps in t; Analytic-DDIM (eta = 0,
     * Gamma_t from 500 draws of data per step, seeded) on B respaced steps of the discrete chain; Euler in sigma on a
     * Karras grid (rho = 7) of B steps; Heun in sigma on B/2 uniform steps in t and EDM's Heun on a Karras grid of B/2
     * steps, deterministic and stochastic (S_churn = 40, S_tmin = 0.05, S_tmax = 50, S_noise = 1.003: EDM's ImageNet
     * settings); DPM-Solver-2 and -3 on B/2 and B/3 steps uniform in log-SNR; DPM-Solver++(2M) on B such steps.
     */
    public static List<Contender> contenders(ScoreModel chainModel, NDArray data, long seed) {
        EpsMoment moment = new EpsMoment(chainModel, data, 500, seed); // Gamma_t, cached per t across budgets
        List<Contender> contenders = new ArrayList<>();
        contenders.add(continuous("DDIM", B -> row("DDIM", GeneralisedReverse.ddim(0), k -> TimeGrid.uniform(k, B, END_TIME))));
        contenders.add(continuous("DDPM", B -> row("DDPM", GeneralisedReverse.ddpm(ReverseVariance.BETA_TILDE), k -> TimeGrid.uniform(k, B, END_TIME))));
        contenders.add(new Contender("Analytic-DDIM", true, B -> {
            AnalyticDpm dpm = AnalyticDpm.of(Timesteps.uniform((NoiseSchedule) chainModel.kernel(), B), 0, moment, Double.POSITIVE_INFINITY, false);
            return new SamplerComparison.Row("Analytic-DDIM", dpm.sampler(), k -> dpm.grid());
        }));
        contenders.add(continuous("Euler in sigma (Karras)", B -> row("Euler in sigma (Karras)",
                new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.SIGMA), k -> karras(k, B, 7))));
        contenders.add(continuous("Heun in sigma (uniform t)", B -> row("Heun in sigma (uniform t)",
                new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.SIGMA), k -> TimeGrid.uniform(k, Math.max(1, B / 2), END_TIME))));
        contenders.add(continuous("EDM Heun (Karras)", B -> row("EDM Heun (Karras)", EdmHeun.deterministic(), k -> karras(k, Math.max(1, B / 2), 7))));
        contenders.add(continuous("EDM stochastic Heun (Karras)", B -> row("EDM stochastic Heun (Karras)",
                EdmHeun.stochastic(40, 0.05, 50, 1.003), k -> karras(k, Math.max(1, B / 2), 7))));
        contenders.add(continuous("DPM-Solver-2", B -> row("DPM-Solver-2", new DpmSolver(2), k -> TimeGrid.logSnr(k, Math.max(1, B / 2), END_TIME))));
        contenders.add(continuous("DPM-Solver-3", B -> row("DPM-Solver-3", new DpmSolver(3), k -> TimeGrid.logSnr(k, Math.max(1, B / 3), END_TIME))));
        contenders.add(continuous("DPM-Solver++(2M)", B -> row("DPM-Solver++(2M)", new DpmSolverPlusPlus(), k -> TimeGrid.logSnr(k, B, END_TIME))));
        return contenders;
    }

    private static Contender continuous(String name, IntFunction<SamplerComparison.Row> atBudget) {
        return new Contender(name, false, atBudget);
    }

    private static SamplerComparison.Row row(String name, Sampler sampler, Function<PerturbationKernel, TimeGrid> grid) {
        return new SamplerComparison.Row(name, sampler, grid);
    }

    /**
     * Every contender at every budget: n samples per seed (Noise.seeded(firstSeed + r), r &lt; seeds) on sdeModel, or on
     * chainModel for the discrete ones (the same seeds, so the same prior draws), scored by distance.
     */
    public static List<Point> frontier(NDManager manager, List<Contender> contenders, ScoreModel sdeModel, ScoreModel chainModel,
            int[] budgets, int n, long firstSeed, int seeds, ModeDistance distance, Monitor monitor) {
        List<Point> points = new ArrayList<>();
        monitor.start("frontier", (long) budgets.length * contenders.size());
        try {
            for (int budget : budgets) {
                Arguments.atLeast("budget", budget, 1);
                for (Contender c : contenders) {
                    points.add(run(manager, c.discrete() ? chainModel : sdeModel, c.atBudget().apply(budget), budget, n, firstSeed, seeds, distance));
                    monitor.step(points.size(), Double.NaN, null, c.name() + " at " + budget);
                }
            }
        } finally {
            monitor.end();
        }
        return points;
    }

    /** One row on model over the seeds (n samples each), scored by distance; budget is a label (its nominal NFE). */
    public static Point run(NDManager manager, ScoreModel model, SamplerComparison.Row row, int budget, int n, long firstSeed, int seeds,
            ModeDistance distance) {
        Arguments.allNonNull("manager, model, row, distance", manager, model, row, distance);
        TimeGrid grid = row.grid().apply(model.kernel());
        double[] errors = new double[Arguments.atLeast("seeds", seeds, 1)];
        int nfe = 0;
        long start = System.nanoTime();
        for (int r = 0; r < seeds; r++) {
            try (NDManager scope = manager.newSubManager()) {
                Sampler.Result result = row.sampler().sample(scope, model, grid, Noise.seeded(firstSeed + r), Monitor.quiet(), n);
                nfe = result.nfe();
                errors[r] = distance.of(result.samples());
            }
        }
        return new Point(row.name(), budget, nfe, errors, (System.nanoTime() - start) / 1e9 / seeds);
    }

    /** The points of one budget ranked by the paired test over their shared seeds (lower D is better). */
    public static Verdict.Ranking rankAt(List<Point> points, int budget) {
        Map<String, double[]> values = new LinkedHashMap<>();
        points.stream().filter(p -> p.budget() == budget).forEach(p -> values.put(p.sampler(), p.errors()));
        return Verdict.rank("per-mode moment distance", Verdict.Better.LOWER, values, true);
    }

    /**
     * D (mean, error bars of one SE over the seeds) against NFE per sampler, log axes; on the log axis an error bar is
     * drawn at most 0.9 times its mean long (a bar reaching 0 cannot be drawn there), and the floor as a line.
     */
    public static XYChart figure(String title, List<Point> points, MonteCarlo.Estimate floor) {
        XYChart chart = Figures.logY(Figures.lines(title, "NFE", "per-mode moment distance D", 760, 640));
        chart.getStyler().setXAxisLogarithmic(true);
        Map<String, List<Point>> bySampler = new LinkedHashMap<>();
        points.forEach(p -> bySampler.computeIfAbsent(p.sampler(), s -> new ArrayList<>()).add(p));
        bySampler.forEach((name, list) -> Figures.addLine(chart, name, list.stream().mapToDouble(Point::nfe).toArray(),
                list.stream().mapToDouble(p -> p.estimate().mean()).toArray(),
                list.stream().mapToDouble(p -> Math.min(0.9 * p.estimate().mean(), errorBar(p.estimate().standardError()))).toArray()));
        double lowest = points.stream().mapToDouble(Point::nfe).min().orElse(1);
        double highest = points.stream().mapToDouble(Point::nfe).max().orElse(100);
        Figures.addLine(chart, "floor (exact draws)", new double[] {lowest, highest}, new double[] {floor.mean(), floor.mean()});
        return chart;
    }

    private static double errorBar(double se) {
        return Double.isFinite(se) ? se : 0;
    }

    /** A deterministic solver at a budget B for the order study: its sampler and grid on a kernel. */
    public record Solver(String name, int order, IntFunction<SamplerComparison.Row> atBudget) {

        /** Refuses a null component, naming it. */
        public Solver {
            Arguments.allNonNull("name, atBudget", name, atBudget);
        }
    }

    /**
     * The deterministic contenders with their orders: DDIM = DPM-Solver-1 (1), Euler in sigma on the Karras grid (1),
     * Heun in sigma on uniform t (2), EDM Heun on the Karras grid (2), DPM-Solver-2 (2), DPM-Solver-3 (3),
     * DPM-Solver++(2M) (2), on the grids of contenders().
     */
    public static List<Solver> deterministic() {
        return List.of(
                new Solver("DDIM (= DPM-Solver-1)", 1, B -> row("DDIM", GeneralisedReverse.ddim(0), k -> TimeGrid.uniform(k, B, END_TIME))),
                new Solver("Euler in sigma (Karras)", 1, B -> row("Euler", new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.SIGMA), k -> karras(k, B, 7))),
                new Solver("Heun in sigma (uniform t)", 2, B -> row("Heun", new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.SIGMA),
                        k -> TimeGrid.uniform(k, Math.max(1, B / 2), END_TIME))),
                new Solver("EDM Heun (Karras)", 2, B -> row("EDM Heun", EdmHeun.deterministic(), k -> karras(k, Math.max(1, B / 2), 7))),
                new Solver("DPM-Solver-2", 2, B -> row("DPM-Solver-2", new DpmSolver(2), k -> TimeGrid.logSnr(k, Math.max(1, B / 2), END_TIME))),
                new Solver("DPM-Solver-3", 3, B -> row("DPM-Solver-3", new DpmSolver(3), k -> TimeGrid.logSnr(k, Math.max(1, B / 3), END_TIME))),
                new Solver("DPM-Solver++(2M)", 2, B -> row("DPM-Solver++(2M)", new DpmSolverPlusPlus(), k -> TimeGrid.logSnr(k, Math.max(2, B), END_TIME))));
    }

    /** A solver's errors: NFE and max |x(t_N) - exact| per budget. */
    public record Errors(String solver, int order, int[] nfe, double[] error) {

        /** Refuses a null component, naming it. */
        public Errors {
            Arguments.allNonNull("solver, nfe, error", solver, nfe, error);
        }

        /** The observed order between the last two budgets, log(e_1 / e_2) / log(nfe_2 / nfe_1) (NFE is proportional to N). */
        public double observedOrder() {
            int k = nfe.length - 1;
            return Math.log(error[k - 1] / error[k]) / Math.log((double) nfe[k] / nfe[k - 1]);
        }
    }

    /**
     * Each solver's max |x(t_N) - exact flow map| over n float64 prior draws (seeded) of the Gaussian data's oracle on
     * kernel, at every budget (the exact map: analytic/GaussianFlowMap).
     */
    public static List<Errors> flowErrors(NDManager manager, List<Solver> solvers, GaussianMixture gaussian, PerturbationKernel kernel,
            int[] budgets, int n, long seed) {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(gaussian, kernel);
        GaussianFlowMap map = new GaussianFlowMap(gaussian, kernel);
        List<Errors> all = new ArrayList<>();
        for (Solver solver : solvers) {
            int[] nfe = new int[budgets.length];
            double[] error = new double[budgets.length];
            for (int b = 0; b < budgets.length; b++) {
                SamplerComparison.Row row = solver.atBudget().apply(budgets[b]);
                TimeGrid grid = row.grid().apply(kernel);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray start = Noise.seeded(seed).normal(scope, new Shape(n, gaussian.dim())).toType(DataType.FLOAT64, false)
                            .mul(kernel.priorStd(grid.start()));
                    Sampler.Result result = row.sampler().run(scope, oracle, grid, Noise.seeded(seed + 1), Monitor.quiet(), start);
                    nfe[b] = result.nfe();
                    error[b] = result.samples().sub(map.map(start, grid.start(), grid.end())).abs().max().getDouble();
                }
            }
            all.add(new Errors(solver.name(), solver.order(), nfe, error));
        }
        return all;
    }

    /** RK45 (DormandPrince at rtol = atol = tolerance) in sigma: its measured NFE and error per tolerance, as Errors (order 0: adaptive). */
    public static Errors adaptive(NDManager manager, GaussianMixture gaussian, PerturbationKernel kernel, double[] tolerances, int n, long seed) {
        Arguments.allNonNull("manager, gaussian, kernel, tolerances", manager, gaussian, kernel, tolerances);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(gaussian, kernel);
        GaussianFlowMap map = new GaussianFlowMap(gaussian, kernel);
        TimeGrid grid = TimeGrid.uniform(kernel, 1, END_TIME);
        int[] nfe = new int[tolerances.length];
        double[] error = new double[tolerances.length];
        for (int i = 0; i < tolerances.length; i++) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray start = Noise.seeded(seed).normal(scope, new Shape(n, gaussian.dim())).toType(DataType.FLOAT64, false)
                        .mul(kernel.priorStd(grid.start()));
                Sampler.Result result = new ProbabilityFlow(DormandPrince.withTolerance(tolerances[i]), ProbabilityFlow.Time.SIGMA)
                        .run(scope, oracle, grid, Noise.seeded(seed + 1), Monitor.quiet(), start);
                nfe[i] = result.nfe();
                error[i] = result.samples().sub(map.map(start, grid.start(), grid.end())).abs().max().getDouble();
            }
        }
        return new Errors("RK45 in sigma", 0, nfe, error);
    }

    /** Error against NFE per solver, log axes. */
    public static XYChart orderFigure(String title, List<Errors> errors) {
        XYChart chart = Figures.logY(Figures.lines(title, "NFE", "max |x - exact flow map|", 700, 600));
        chart.getStyler().setXAxisLogarithmic(true);
        for (Errors e : errors) {
            Figures.addLine(chart, e.solver(), Arrays.stream(e.nfe()).asDoubleStream().toArray(), e.error());
        }
        return chart;
    }
}
