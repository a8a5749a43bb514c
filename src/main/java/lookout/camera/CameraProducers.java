package lookout.camera;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;

/** The producer the camera bridge is meant to run with. */
public final class CameraProducers {
    private CameraProducers() {
    }

    /**
     * Durable and ordered (acks=all, idempotent: a retry never duplicates or reorders a camera's
     * frames); no compression (JPEG is already entropy-coded, gzip/lz4 would burn CPU for ~1%);
     * a short linger and 1 MiB batches so several cameras share requests; send() blocks at most
     * {@code max.block.ms} (5 s) when the broker is away, so the bridge drops instead of piling up.
     * The tuning yields to the operator's {@code kafka.*} keys, the durability does not.
     */
    public static Producer<String, byte[]> create(KafkaClients clients, String clientId) {
        return new KafkaProducer<>(properties(clients, clientId), new StringSerializer(), new ByteArraySerializer());
    }

    /** The camera producer's configuration (see {@link #create}). */
    static Map<String, Object> properties(KafkaClients clients, String clientId) {
        Map<String, Object> tuning = Map.of(
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5",
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "none",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1024 * 1024),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.maxRecordBytes(Topics.FRAMES,
                        clients.settings().topics())),
                ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L * 1024 * 1024),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        Map<String, Object> required = new HashMap<>(KafkaClients.durable());
        required.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return clients.properties(tuning, required);
    }
}
