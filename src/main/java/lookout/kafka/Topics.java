package lookout.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

import lookout.config.TopicRetention;
import lookout.config.TopicSettings;

/**
 * The one registry of topics (the public contract): each topic's name and the spec it is created
 * with when missing, and the record headers. Record limits follow from what travels on a topic,
 * so they cannot drift from the frame limit or the model chunk size.
 */
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
    public static final String CAMERA_STATS = "lookout.camera-stats";
    /** Copies of dead-lettered frames' bytes: only written (and created) with {@code lookout.dlq.keep-bytes}. */
    public static final String FRAMES_DLQ_BYTES = "lookout.frames.dlq.bytes";
    /** Frames picked for a person to label (picture, the model's boxes, why), and the answers' marks. */
    public static final String REVIEW = "lookout.review";

    /** The detector's topics (serve, demo). */
    public static final List<String> DETECTOR = List.of(FRAMES, DETECTIONS, FRAMES_DLQ, CAMERA_STATS);
    /** The retraining loop's topics (trainer, hot swap, labels, models and control commands). */
    public static final List<String> LOOP = List.of(LABELS, MODELS, CONTROL, EVENTS);
    /** Every topic Lookout creates: what {@code ./lookout topics check|apply} looks at. */
    public static final List<String> ALL = List.of(FRAMES, DETECTIONS, FRAMES_DLQ, FRAMES_DLQ_BYTES, CAMERA_STATS,
            LABELS, MODELS, CONTROL, EVENTS, REVIEW);
    /** What a detector with the review picker and page on also uses ({@code lookout.review.enabled}). */
    public static final List<String> REVIEWING = List.of(REVIEW, LABELS);
    /** Topics read in order as one sequence: commands (one trainer acts, in order) and the registry. */
    public static final List<String> SINGLE_PARTITION = List.of(CONTROL, MODELS);
    /** The largest command {@code lookout.control} carries; a command is a few hundred bytes of JSON. */
    public static final int MAX_COMMAND_BYTES = 64 * 1024;

    /** Frame header: 1-based frame number (decimal string or 8-byte big-endian long). */
    public static final String HEADER_SEQ = "lookout.seq";
    /** Frame header: capture time, epoch milliseconds (decimal string or 8-byte big-endian long). */
    public static final String HEADER_TS = "lookout.ts";
    /** DLQ header: why the frame was dead-lettered (machine-readable code). */
    public static final String HEADER_DLQ_REASON = "lookout.dlq.reason";
    /** DLQ header: human-readable detail. */
    public static final String HEADER_DLQ_DETAIL = "lookout.dlq.detail";
    /** Review header: the item (JSON: camera, the model's boxes, why it was picked); the value is the picture. */
    public static final String HEADER_REVIEW_ITEM = "lookout.review.item";
    /** Review header: an answer to the item of the record's key (JSON: who, when, what became of it); no value. */
    public static final String HEADER_REVIEW_ANSWER = "lookout.review.answer";

    /** Room for a record's key, headers and framing beside its payload. */
    private static final int RECORD_OVERHEAD = 64 * 1024;
    /**
     * How long a frame waits for review: it holds pictures of people, so not longer than an operator's
     * review round needs (an answered item's picture goes sooner: compaction keeps only its answer).
     */
    public static final long REVIEW_RETENTION_MS = 2 * 86_400_000L;

    /**
     * The largest record a topic takes: a frame (frames, DLQ), a frame in base64 inside JSON
     * (labels), two model chunks (models, so a chunk plus its framing always fits), a command with
     * room to spare (control), 1 MiB for small JSON (detections, camera stats, events). Every topic is
     * created with its limit, so the broker refuses what no reader is sized for.
     */
    public static int maxRecordBytes(String topic, TopicSettings s) {
        return switch (topic) {
            case LABELS -> s.frameMaxBytes() / 3 * 4 + 4 + RECORD_OVERHEAD;
            case MODELS -> 2 * s.modelChunkBytes();
            case CONTROL -> 2 * MAX_COMMAND_BYTES;
            case DETECTIONS, CAMERA_STATS, EVENTS -> 1024 * 1024;
            default -> s.frameMaxBytes() + RECORD_OVERHEAD; // frames, the DLQ, review items, a camera's own --topic
        };
    }

    /**
     * Changelog settings of Kafka Streams stores rewritten on every frame (the tracker's, the camera
     * statistics'): short segments, so compaction keeps what a restore reads near one record per key.
     */
    public static Map<String, String> perFrameChangelog() {
        return Map.of(TopicConfig.SEGMENT_MS_CONFIG, "600000", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1");
    }

    /**
     * How a topic is created when missing. Labels and models are compacted (the topic is the
     * state: the training set, the registry); control has one partition (one trainer acts, in
     * order); every other topic is deleted by time, each with its own retention
     * ({@code lookout.topics.<topic>.retention}); a name not listed here is a frames topic (the
     * camera's --topic).
     */
    public static NewTopic spec(String topic, TopicSettings s) {
        String maxBytes = String.valueOf(maxRecordBytes(topic, s));
        short rf = s.replication();
        Map<String, String> configs = new HashMap<>(retention(topic, s.retention()));
        configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
        return switch (topic) {
            case LABELS -> {
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
                yield new NewTopic(topic, 3, rf).configs(configs);
            }
            case MODELS -> {
                configs.putAll(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1", TopicConfig.SEGMENT_MS_CONFIG, "3600000"));
                yield new NewTopic(topic, 1, rf).configs(configs);
            }
            case REVIEW -> {
                configs.put(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1");
                yield new NewTopic(topic, s.partitions(), rf).configs(configs);
            }
            case CONTROL, EVENTS -> new NewTopic(topic, 1, rf).configs(configs);
            // the broker stamps each frame as it lands: the detector's reference for every camera's clock (a
            // producer's own clock may be as wrong as its camera's), and no frame is refused for its timestamp
            case FRAMES -> {
                configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
                yield new NewTopic(topic, s.partitions(), rf).configs(configs);
            }
            default -> new NewTopic(topic, s.partitions(), rf).configs(configs);
        };
    }

    /**
     * The retention configs of a topic. Time-deleted topics get {@code retention.ms} and a
     * {@code segment.ms} of a quarter of it (between a minute and a day): the broker deletes whole
     * segments, so a record lives at most about retention + segment.ms (plus the broker's retention
     * check interval, 5 minutes by default). The labels topic gets the settings that make a tombstone
     * final in bounded time. Empty without retention settings (unit tests of other concerns).
     */
    public static Map<String, String> retention(String topic, TopicRetention r) {
        if (REVIEW.equals(topic)) {
            // key = review item id: the answer's mark replaces the picture at the next cleaning (1-hour
            // segments); what nobody answers is deleted after the retention. Not configurable: it is the
            // review round's length, not an operator's choice of how long to keep pictures
            return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + ","
                    + TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.RETENTION_MS_CONFIG, String.valueOf(REVIEW_RETENTION_MS),
                    TopicConfig.SEGMENT_MS_CONFIG, "3600000");
        }
        if (r == null || MODELS.equals(topic)) {
            return Map.of();
        }
        if (LABELS.equals(topic)) {
            return Map.of(TopicConfig.DELETE_RETENTION_MS_CONFIG, ms(r.labelsTombstones()),
                    TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, ms(r.labelsMaxCompactionLag()),
                    TopicConfig.SEGMENT_MS_CONFIG, ms(r.labelsSegment()));
        }
        Duration keep = switch (topic) {
            case DETECTIONS -> r.detections();
            case CAMERA_STATS -> r.cameraStats();
            case FRAMES_DLQ -> r.deadLetters();
            case FRAMES_DLQ_BYTES -> r.deadLetterBytes();
            case EVENTS -> r.events();
            case CONTROL -> r.control();
            default -> r.frames(); // frames, a camera's own --topic
        };
        long segment = Math.max(60_000L, Math.min(86_400_000L, keep.toMillis() / 4));
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, ms(keep), TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(segment));
    }

    private static String ms(Duration d) {
        return String.valueOf(d.toMillis());
    }
}
