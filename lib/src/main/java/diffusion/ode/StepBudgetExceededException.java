package diffusion.ode;

/** An adaptive solve that needed more steps than its budget allowed; it stops instead of running on. */
public final class StepBudgetExceededException extends RuntimeException {

    StepBudgetExceededException(String message) {
        super(message);
    }
}
