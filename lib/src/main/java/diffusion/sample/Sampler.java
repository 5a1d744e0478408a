package diffusion.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * The one sampler interface: a sampler walks a time grid t_0 &gt; ... &gt; t_N of the model's kernel from a start x(t_0)
 * to x(t_N), drawing its randomness only from the noise source and reporting each step to the monitor, and returns the
 * samples with the number of model evaluations per sample (NFE). DDPM, DDIM, Analytic-DPM, the reverse-SDE
 * predictors, predictor-corrector, annealed Langevin and the probability-flow ODE all implement it.
 */
public interface Sampler {

    /** A short name for tables and legends ("DDIM (eta = 0)", "Heun in sigma"). */
    String name();

    /**
     * x(t_N) from x(t_0) = start (n, sampleShape...), left untouched; the result lives in manager. Refuses, before any
     * work, a grid of another kernel, a start of the wrong shape or a model/kernel pair the method does not support.
     */
    Result run(NDManager manager, ScoreModel model, TimeGrid grid, Noise noise, Monitor monitor, NDArray start);

    /** n samples from the prior: start = priorStd(t_0) z with z drawn from noise, then run. */
    default Result sample(NDManager manager, ScoreModel model, TimeGrid grid, Noise noise, Monitor monitor, int n) {
        Arguments.sampleCount(n, model.dim());
        requireGrid(name(), model, grid);
        try (NDManager scratch = manager.newSubManager()) {
            NDArray start = noise.normal(scratch, new Shape(n).addAll(model.sampleShape()))
                    .mul(model.kernel().priorStd(grid.start())); // x(t_0) = sigma_prior z
            return run(manager, model, grid, noise, monitor, start);
        }
    }

    /** This sampler followed by Tweedie's denoising step x &lt;- E[x_0 | x(t_N)] = model.denoise(x, t_N) (one more NFE). */
    default Sampler thenDenoise() {
        return thenDenoise(Double.NaN);
    }

    /**
     * This sampler followed by Tweedie's step at the time the state is at, time (t_N when NaN): annealed Langevin on
     * a ladder grid L, ..., 1, 0 leaves x at level t = 1, not at the data.
     */
    default Sampler thenDenoise(double time) {
        Sampler inner = this;
        return new Sampler() {
            @Override
            public String name() {
                return inner.name() + ", denoised";
            }

            @Override
            public Result run(NDManager manager, ScoreModel model, TimeGrid grid, Noise noise, Monitor monitor, NDArray start) {
                double t = Double.isNaN(time) ? grid.end() : model.kernel().requireTime("time", time);
                if (!(model.kernel().std(t) > 0)) {
                    throw new IllegalArgumentException("denoising at t = " + t + ", where s(t) = 0: there is nothing to denoise");
                }
                Result result = inner.run(manager, model, grid, noise, monitor, start);
                try (NDManager scope = manager.newSubManager()) {
                    result.samples().attach(scope);
                    NDArray denoised = model.denoise(result.samples(), t);
                    denoised.attach(manager);
                    return new Result(denoised, result.nfe() + 1);
                }
            }
        };
    }

    /** Accepts a grid over the model's own kernel (the same object). */
    static void requireGrid(String sampler, ScoreModel model, TimeGrid grid) {
        if (grid.kernel() != model.kernel()) {
            throw new IllegalArgumentException(sampler + ": grid is over " + grid.kernel() + " but the model predicts for "
                    + model.kernel() + "; build the grid on model.kernel()");
        }
    }

    /** Accepts a start of shape (n, sampleShape...) with finite entries within +-MAX_POINT_ENTRY, on the model's kernel grid. */
    static void requireStart(String sampler, ScoreModel model, TimeGrid grid, NDArray start) {
        requireGrid(sampler, model, grid);
        Arguments.requireSamples("start", start, model.sampleShape());
        Arguments.bounded("start", start, Arguments.MAX_POINT_ENTRY);
    }

    /** The samples (n, sampleShape...) and the model evaluations spent per sample (NFE). */
    record Result(NDArray samples, int nfe) {

        /** Refuses a null component, naming it. */
        public Result {
            Arguments.nonNull("samples", samples);
        }
    }
}
