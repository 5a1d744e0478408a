package diffusion.inverse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.analytic.GaussianMixturePosterior;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Methods for one inverse problem measured against its exact posterior over seeds: each method draws n posterior
 * samples for a seed, and the study records their GaussianMixturePosterior.Errors (mean, covariance, mode weights)
 * per method and seed, each draw in its own sub-manager.
 */
public final class PosteriorStudy {

    /** A named posterior sampler: the draws (n, posterior dim) for a seed, in the given manager. */
    public interface Method {

        /** The draws for seed. */
        NDArray draw(NDManager manager, long seed);
    }

    private PosteriorStudy() {
    }

    /** errors[method][seed] for the given methods (in order) and seeds, against posterior. */
    public static Map<String, GaussianMixturePosterior.Errors[]> run(NDManager manager, GaussianMixturePosterior posterior,
            Map<String, Method> methods, List<Long> seeds) {
        Arguments.nonNull("posterior", posterior);
        Arguments.nonNull("methods", methods);
        Arguments.nonNull("seeds", seeds);
        if (methods.isEmpty() || seeds.isEmpty()) {
            throw new IllegalArgumentException("methods has " + methods.size() + " and seeds " + seeds.size() + " entries: need at least one of each");
        }
        Map<String, GaussianMixturePosterior.Errors[]> errors = new LinkedHashMap<>();
        for (Map.Entry<String, Method> method : methods.entrySet()) {
            GaussianMixturePosterior.Errors[] row = new GaussianMixturePosterior.Errors[seeds.size()];
            for (int i = 0; i < seeds.size(); i++) {
                try (NDManager scope = manager.newSubManager()) {
                    row[i] = posterior.errors(method.getValue().draw(scope, seeds.get(i)));
                }
            }
            errors.put(method.getKey(), row);
        }
        return errors;
    }

    /** One error column per method: "mean", "covariance" or "mode weights" of each seed. */
    public static Map<String, double[]> metric(Map<String, GaussianMixturePosterior.Errors[]> errors, String metric) {
        Map<String, double[]> column = new LinkedHashMap<>();
        for (Map.Entry<String, GaussianMixturePosterior.Errors[]> entry : errors.entrySet()) {
            double[] values = new double[entry.getValue().length];
            for (int i = 0; i < values.length; i++) {
                GaussianMixturePosterior.Errors e = entry.getValue()[i];
                values[i] = switch (metric) {
                    case "mean" -> e.mean();
                    case "covariance" -> e.covariance();
                    case "mode weights" -> e.modeWeights();
                    default -> throw new IllegalArgumentException("metric = '" + metric + "': use mean, covariance or mode weights");
                };
            }
            column.put(entry.getKey(), values);
        }
        return column;
    }
}
