package lookout.kafka;

import lookout.config.KafkaSettings;
import lookout.config.LookoutConfig;
import picocli.CommandLine.Option;

/** The Kafka option every command shares: one flag, the rest from configuration ({@code kafka.*}). */
public class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka to use (default: kafka.bootstrap.servers, env KAFKA_BOOTSTRAP_SERVERS, localhost:9092)")
    String bootstrapServers;

    /** The configured Kafka settings, against --bootstrap-servers when given. */
    public KafkaSettings settings() {
        return LookoutConfig.current().kafka().withBootstrapServers(bootstrapServers);
    }

    public KafkaClients clients() {
        return new KafkaClients(settings());
    }
}
