package lookout.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.NewTopic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import lookout.config.TopicSettings;

/**
 * Strimzi {@code KafkaTopic} resources for every topic of the registry, made from the same
 * {@link Topics#spec} the app creates missing topics with: partitions, replicas, compaction,
 * retention and record limits cannot drift between the app and the cluster's topic operator.
 * k8s/strimzi/kafka-topics.yaml is this output ({@code lookout topics --strimzi}; a test fails when
 * the committed file differs).
 */
public final class StrimziTopics {
    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private StrimziTopics() {
    }

    /** Every topic of the registry: the detector's, then the retraining loop's. */
    public static List<String> all() {
        List<String> out = new ArrayList<>(Topics.DETECTOR);
        out.addAll(Topics.LOOP);
        return out;
    }

    /**
     * The YAML documents, one KafkaTopic per topic, for the Strimzi cluster {@code cluster}.
     *
     * @param header comment lines put first (say how the file was made)
     */
    public static String render(TopicSettings settings, String cluster, String header) {
        StringBuilder out = new StringBuilder(header);
        for (String name : all()) {
            NewTopic spec = Topics.spec(name, settings);
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("apiVersion", "kafka.strimzi.io/v1beta2");
            doc.put("kind", "KafkaTopic");
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("name", name);
            metadata.put("labels", Map.of("strimzi.io/cluster", cluster));
            doc.put("metadata", metadata);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("topicName", name);
            body.put("partitions", spec.numPartitions());
            body.put("replicas", (int) spec.replicationFactor());
            body.put("config", new TreeMap<>(spec.configs()));
            doc.put("spec", body);
            try {
                out.append("---\n").append(YAML.writeValueAsString(doc));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write the KafkaTopic of " + name, e);
            }
        }
        return out.toString();
    }
}
