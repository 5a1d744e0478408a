package diffusion.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import diffusion.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

class LecturePosteriorVarianceTest {

    /** The lecture's value is betaTilde_t / (1 + sqrt(alphaBar_{t-1})): about half at t = 2, nearly equal at t = T. */
    @Test
    void isTheTrueVarianceOverOnePlusSqrtAlphaBar() {
        NoiseSchedule schedule = NoiseSchedule.linear(1000);
        for (int t : new int[] {2, 10, 100, 500, 1000}) {
            double lecture = LecturePosteriorVariance.of(schedule, t);
            assertEquals(schedule.betaTilde(t) * LecturePosteriorVariance.ratioToTrue(schedule, t), lecture, 1e-12 * schedule.betaTilde(t));
        }
        assertEquals(0.5, LecturePosteriorVariance.ratioToTrue(schedule, 2), 1e-3);
        assertEquals(1.0, LecturePosteriorVariance.ratioToTrue(schedule, 1000), 1e-2);
    }
}
