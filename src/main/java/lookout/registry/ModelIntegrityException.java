package lookout.registry;

/**
 * A model version that cannot be used: it cannot be reassembled, its bytes do not match its sha256,
 * or (for a reader that checks signatures) its signature does not vouch for it.
 */
public class ModelIntegrityException extends Exception {
    /** Bytes missing or not matching the manifest. */
    public static final String INTEGRITY = "integrity";

    private final String reason;

    public ModelIntegrityException(String message) {
        this(INTEGRITY, message);
    }

    /** @param reason integrity, or the signature check's reason (unsigned, unknown-key, bad-signature) */
    public ModelIntegrityException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
