package diffusion.mcmc;

/** A target returned NaN or +infinity as log-density, or a non-finite gradient, at a finite point. */
public final class NonFiniteTargetException extends IllegalArgumentException {

    public NonFiniteTargetException(String message) {
        super(message);
    }
}
