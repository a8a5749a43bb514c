package lookout.kafka;

/** The one registry of topic names and record header names (the public contract). */
public final class Topics {
    private Topics() {
    }

    public static final String FRAMES = "lookout.frames";
    public static final String DETECTIONS = "lookout.detections";
    public static final String FRAMES_DLQ = "lookout.frames.dlq";
    public static final String LABELS = "lookout.labels";
    public static final String CONTROL = "lookout.control";
    public static final String MODELS = "lookout.models";
    public static final String EVENTS = "lookout.events";

    /** Frame header: 1-based frame number (decimal string or 8-byte big-endian long). */
    public static final String HEADER_SEQ = "lookout.seq";
    /** Frame header: capture time, epoch milliseconds (decimal string or 8-byte big-endian long). */
    public static final String HEADER_TS = "lookout.ts";
    /** DLQ header: why the frame was dead-lettered (machine-readable code). */
    public static final String HEADER_DLQ_REASON = "lookout.dlq.reason";
    /** DLQ header: human-readable detail. */
    public static final String HEADER_DLQ_DETAIL = "lookout.dlq.detail";
}
