package lookout.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import lookout.common.Json;
import lookout.common.Names;
import lookout.common.Redact;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;

/**
 * Event types on {@code lookout.events} and the Kafka sink that writes them as JSON
 * {@code {"type": ..., "ts": epochMs, "source": role@host, ...details}}, keyed by type.
 */
public final class Events implements EventSink, AutoCloseable {
    public static final String TRAINING_STARTED = "training-started";
    public static final String EPOCH = "epoch";
    public static final String EVALUATED = "evaluated";
    public static final String PUBLISHED = "published";
    public static final String REJECTED = "rejected";
    public static final String FAILED = "failed";
    public static final String MODEL_LOADED = "model-loaded";
    public static final String MODEL_REFUSED = "model-refused";
    public static final String PROMOTED = "promoted";
    public static final String ROLLED_BACK = "rolled-back";
    public static final String PRUNED = "pruned";
    public static final String ERROR = "error";
    /** A record on lookout.models a detector could not use (skipped, with the reason). */
    public static final String REGISTRY_RECORD_SKIPPED = "registry-record-skipped";

    /** Longest text kept in an event field when the event would not fit the topic otherwise. */
    static final int MAX_FIELD_CHARS = 1000;
    /** Longest event text written to the log. */
    static final int MAX_LOG_CHARS = 2000;
    /** An event is at most this large: far below the topic's limit, so it is never refused. */
    static final int MAX_EVENT_BYTES = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(Events.class);

    private final Producer<String, byte[]> producer;
    private final String source;
    private final boolean ownsProducer;

    /** A sink on a producer the caller owns. */
    public Events(Producer<String, byte[]> producer, String source) {
        this(producer, source, false);
    }

    private Events(Producer<String, byte[]> producer, String source, boolean ownsProducer) {
        this.producer = producer;
        this.source = source;
        this.ownsProducer = ownsProducer;
    }

    /** A sink with a producer of its own (closed with it); events say they come from {@code role@instance}. */
    public static Events open(KafkaClients clients, String role) {
        return new Events(clients.producer("lookout-" + role + "-events"), source(clients, role), true);
    }

    /** What events of a role in this replica say they come from: {@code role@instance-id}. */
    public static String source(KafkaClients clients, String role) {
        return role + "@" + clients.settings().group().instanceId();
    }

    /**
     * The JSON value of an event, never larger than {@link #MAX_EVENT_BYTES}: details that make it
     * larger (a huge camera name quoted in an error, say) have their long texts clipped, and if
     * that is not enough they are replaced by a note, so an event always reaches the topic.
     */
    public static byte[] toJson(String type, String source, Map<String, ?> given) {
        // texts may quote what an input or an exception said: no credential reaches the topic
        Map<String, Object> details = new LinkedHashMap<>();
        given.forEach((k, v) -> details.put(k, v instanceof String str ? Redact.text(str) : v));
        byte[] full = write(type, source, details);
        if (full.length <= MAX_EVENT_BYTES) {
            return full;
        }
        Map<String, Object> clipped = new LinkedHashMap<>();
        details.forEach((k, v) -> clipped.put(Names.clip(k, 100), v instanceof String str ? Names.clip(str, MAX_FIELD_CHARS) : v));
        byte[] shorter = write(type, source, clipped);
        if (shorter.length <= MAX_EVENT_BYTES) {
            return shorter;
        }
        Map<String, Object> note = new LinkedHashMap<>();
        Object id = details.get("id");
        note.put("id", id instanceof String str ? Names.clip(str, 100) : null);
        note.put("error", details.get("error") instanceof String err ? Names.clip(err, MAX_FIELD_CHARS) : null);
        note.put("truncated", "details left out: the event was " + full.length + " bytes");
        return write(type, source, note);
    }

    private static byte[] write(String type, String source, Map<String, ?> details) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("ts", System.currentTimeMillis());
        if (source != null) {
            m.put("source", source);
        }
        details.forEach((k, v) -> {
            if (v != null && !m.containsKey(k)) {
                m.put(k, v);
            }
        });
        try {
            return Json.MAPPER.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The record of an event on {@code lookout.events} (for writers that send it inside a transaction of their own). */
    public static ProducerRecord<String, byte[]> record(String type, String source, Map<String, ?> details) {
        byte[] value = toJson(type, source, details);
        log(value);
        return new ProducerRecord<>(Topics.EVENTS, type, value);
    }

    private static void log(byte[] value) {
        LOG.infof("event %s", Names.clip(new String(value, StandardCharsets.UTF_8), MAX_LOG_CHARS));
    }

    /** The source these events carry. */
    public String source() {
        return source;
    }

    /** Sends the event; a failure to send is logged, never thrown: an event must not stop what it reports on. */
    @Override
    public void emit(String type, Map<String, ?> details) {
        try {
            producer.send(record(type, source, details), (md, e) -> {
                if (e != null) {
                    LOG.warnf("could not publish %s event: %s", type, e.getMessage());
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("could not publish %s event: %s", type, e.toString());
        }
    }

    @Override
    public void close() {
        if (ownsProducer) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
