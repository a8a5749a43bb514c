package lookout.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long each topic keeps what it holds ({@code lookout.topics.<topic>.*}); applied when a topic is
 * created and checked against topics that exist. Pictures of people are personal data: frames are
 * kept only as long as the detectors need them (see docs/personal-data.md for each choice).
 *
 * @param frames                 {@code lookout.frames} (and a camera's own {@code --topic}): retention.ms
 * @param detections             {@code lookout.detections}: each person's boxes and track per frame
 * @param cameraStats            {@code lookout.camera-stats}: counts per camera and window
 * @param deadLetters            {@code lookout.frames.dlq}: metadata, reason and hash of bad frames
 * @param deadLetterBytes        {@code lookout.frames.dlq.bytes}: copies of bad frames, only when
 *                               {@code lookout.dlq.keep-bytes} is on
 * @param events                 {@code lookout.events}
 * @param control                {@code lookout.control}
 * @param labelsTombstones       {@code lookout.labels} delete.retention.ms: how long a tombstone stays
 *                               readable after compaction (a reader offline longer misses the delete)
 * @param labelsMaxCompactionLag {@code lookout.labels} max.compaction.lag.ms: a replaced or deleted
 *                               sample's bytes become eligible for compaction within this time
 * @param labelsSegment          {@code lookout.labels} segment.ms: the active segment (never compacted)
 *                               rolls this long after its first record, on the next write
 */
public record TopicRetention(Duration frames, Duration detections, Duration cameraStats, Duration deadLetters,
        Duration deadLetterBytes, Duration events, Duration control, Duration labelsTombstones,
        Duration labelsMaxCompactionLag, Duration labelsSegment) {

    public TopicRetention {
        for (Map.Entry<String, Duration> e : keys(frames, detections, cameraStats, deadLetters, deadLetterBytes, events,
                control, labelsTombstones, labelsMaxCompactionLag, labelsSegment).entrySet()) {
            if (e.getValue() == null || e.getValue().isNegative() || e.getValue().isZero()) {
                throw new IllegalArgumentException(e.getKey() + " must be a positive duration (e.g. 1h, 7d), got "
                        + e.getValue());
            }
        }
    }

    /** Each setting under its configuration key (for messages and the docs). */
    public Map<String, Duration> byKey() {
        return keys(frames, detections, cameraStats, deadLetters, deadLetterBytes, events, control, labelsTombstones,
                labelsMaxCompactionLag, labelsSegment);
    }

    private static Map<String, Duration> keys(Duration... d) {
        String[] names = {"lookout.topics.frames.retention", "lookout.topics.detections.retention",
            "lookout.topics.camera-stats.retention", "lookout.topics.frames-dlq.retention",
            "lookout.topics.frames-dlq-bytes.retention", "lookout.topics.events.retention",
            "lookout.topics.control.retention", "lookout.topics.labels.tombstone-retention",
            "lookout.topics.labels.max-compaction-lag", "lookout.topics.labels.segment"};
        Map<String, Duration> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], d[i]);
        }
        return m;
    }
}
