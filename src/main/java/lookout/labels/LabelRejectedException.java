package lookout.labels;

/** A labels record that cannot be used for training, with a machine-readable reason. */
public class LabelRejectedException extends Exception {
    /** Why a record was rejected; {@link #code()} appears in events and logs. */
    public enum Reason {
        MISSING_KEY("missing-key"),
        MALFORMED_JSON("malformed-json"),
        MISSING_IMAGE("missing-image"),
        BAD_BASE64("bad-base64"),
        UNDECODABLE_IMAGE("undecodable-image"),
        BAD_BOX("bad-box"),
        DEGENERATE_BOX("degenerate-box"),
        BOX_OUTSIDE_IMAGE("box-outside-image"),
        LABEL_COUNT_MISMATCH("label-count-mismatch"),
        UNKNOWN_LABEL("unknown-label");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public LabelRejectedException(Reason reason, String detail) {
        super(reason.code() + ": " + detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
