package lookout.trust;

/** A model version whose signature does not vouch for it: unsigned, signed by an unknown key, or not matching. */
public final class UntrustedModelException extends Exception {
    public static final String UNSIGNED = "unsigned";
    public static final String UNKNOWN_KEY = "unknown-key";
    public static final String BAD_SIGNATURE = "bad-signature";

    private final String reason;

    public UntrustedModelException(String reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    /** unsigned, unknown-key or bad-signature */
    public String reason() {
        return reason;
    }
}
