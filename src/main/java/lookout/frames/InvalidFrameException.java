package lookout.frames;

/** A frame that cannot be analysed; carries the dead-letter reason code and a readable detail. */
public class InvalidFrameException extends Exception {
    private final DeadLetterReason reason;

    public InvalidFrameException(DeadLetterReason reason, String detail) {
        super(reason.code() + ": " + detail);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }

    /** The detail without the reason code prefix. */
    public String detail() {
        return getMessage().substring(reason.code().length() + 2);
    }
}
