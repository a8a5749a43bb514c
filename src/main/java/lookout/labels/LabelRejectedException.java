package lookout.labels;

import lookout.common.Names;

/** A labels record that cannot be used for training, with a machine-readable reason. */
public class LabelRejectedException extends Exception {
    /** Why a record was rejected; {@link #code()} appears in events and logs. */
    public enum Reason {
        MISSING_KEY("missing-key"),
        BAD_KEY("bad-key"),
        BAD_FIELD("bad-field"),
        TOO_MANY_BOXES("too-many-boxes"),
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

    /** @param detail one line; quoted user input in it is clipped, so a hostile record cannot make a huge message */
    public LabelRejectedException(Reason reason, String detail) {
        super(reason.code() + ": " + Names.clip(detail, 300));
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
