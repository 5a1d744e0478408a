package diffusion.mcmc;

import diffusion.Arguments;

/** A target returned NaN or +infinity as log-density, or a non-finite gradient, at a finite point. */
public final class NonFiniteTargetException extends IllegalArgumentException {

    /** message says which target returned what at which point. */
    public NonFiniteTargetException(String message) {
        super(Arguments.nonNull("message", message));
    }
}
