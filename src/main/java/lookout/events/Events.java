package lookout.events;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import lookout.common.Json;
import lookout.kafka.Instance;
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

    /** A sink with a producer of its own (closed with it); events say they come from {@code role@host}. */
    public static Events open(KafkaClients clients, String role) {
        return new Events(clients.producer("lookout-" + role + "-events"), role + "@" + Instance.id(), true);
    }

    /** The JSON value of an event. */
    public static byte[] toJson(String type, String source, Map<String, ?> details) {
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

    @Override
    public void emit(String type, Map<String, ?> details) {
        byte[] value = toJson(type, source, details);
        LOG.infof("event %s", new String(value, java.nio.charset.StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(Topics.EVENTS, type, value), (md, e) -> {
            if (e != null) {
                LOG.warnf("could not publish %s event: %s", type, e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        if (ownsProducer) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
