package lookout.frames;

/** Why a frame went to the dead-letter topic; {@link #code()} is the value of the reason header. */
public enum DeadLetterReason {
    EMPTY("empty"),
    TOO_LARGE("too-large"),
    UNKNOWN_FORMAT("unknown-format"),
    BAD_DIMENSIONS("bad-dimensions"),
    TOO_MANY_PIXELS("too-many-pixels"),
    CORRUPT("corrupt"),
    BAD_HEADER("bad-header"),
    /** The key is no camera id: longer than {@code Names.MAX_CAMERA_BYTES}. */
    BAD_KEY("bad-key"),
    INFERENCE_FAILED("inference-failed");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
