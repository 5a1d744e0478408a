package diffusion.report;

import diffusion.Arguments;

/**
 * The trailing moving average of a loss curve for plotting: value k of the result is the mean of values
 * [k, k + window) and sits at step k + window (steps counted from 1), so the first point is the mean of the first
 * window values. The curves of the training notebooks are drawn through it.
 */
public record MovingAverage(int window, double[] steps, double[] values) {

    /** Refuses a null component, naming it. */
    public MovingAverage {
        Arguments.allNonNull("steps, values", steps, values);
    }

    /** The moving average of values over window &gt;= 1 consecutive entries (window &lt;= values.length). */
    public static MovingAverage of(float[] values, int window) {
        if (window < 1 || window > values.length) {
            throw new IllegalArgumentException("window = " + window + ": must lie in 1.." + values.length + " (the number of values)");
        }
        int points = values.length - window + 1;
        double[] steps = new double[points];
        double[] means = new double[points];
        double running = 0;
        for (int i = 0; i < values.length; i++) {
            running += values[i];
            if (i >= window) {
                running -= values[i - window];
            }
            if (i >= window - 1) {
                steps[i - window + 1] = i + 1;
                means[i - window + 1] = running / window;
            }
        }
        return new MovingAverage(window, steps, means);
    }

    /** The moving average over a fraction in (0, 1] of the values, at least one value: window = max(1, n fraction). */
    public static MovingAverage ofFraction(float[] values, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction = " + fraction + ": must lie in (0, 1]");
        }
        return of(values, Math.max(1, (int) (values.length * fraction)));
    }

    /** The last average (over the final window values). */
    public double last() {
        return values[values.length - 1];
    }
}
