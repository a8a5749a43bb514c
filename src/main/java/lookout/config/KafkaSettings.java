package lookout.config;

import java.util.HashMap;
import java.util.Map;

/**
 * How to reach Kafka: the client properties every client starts from ({@code bootstrap.servers},
 * security and any other {@code kafka.*} key), the settings of the topics Lookout creates and how
 * this replica sits in consumer groups.
 */
public record KafkaSettings(Map<String, Object> clientProperties, TopicSettings topics, GroupSettings group) {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

    public KafkaSettings {
        clientProperties = Map.copyOf(clientProperties);
    }

    public String bootstrapServers() {
        return String.valueOf(clientProperties.get(BOOTSTRAP_SERVERS));
    }

    /** The same settings against other brokers (a command's --bootstrap-servers, the demo's embedded broker); null keeps them. */
    public KafkaSettings withBootstrapServers(String servers) {
        if (servers == null || servers.isBlank()) {
            return this;
        }
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(BOOTSTRAP_SERVERS, servers);
        return new KafkaSettings(p, topics, group);
    }

    /** The same settings under another replica name (tests that run several replicas in one JVM). */
    public KafkaSettings withInstanceId(String instanceId) {
        return new KafkaSettings(clientProperties, topics, new GroupSettings(instanceId, group.sessionTimeout()));
    }
}
