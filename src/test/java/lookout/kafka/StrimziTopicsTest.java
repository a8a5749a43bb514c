package lookout.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import lookout.config.LookoutConfig;
import lookout.config.TopicSettings;

class StrimziTopicsTest {
    static final Path COMMITTED = Path.of("k8s/strimzi/kafka-topics.yaml");
    static final Path DEPLOYMENT_ENV = Path.of("k8s/base/config.env");

    static String rendered() throws Exception {
        TopicSettings settings = LookoutConfig.withEnv(TopicsCommand.readEnv(DEPLOYMENT_ENV)).topics();
        return StrimziTopics.render(settings, "lookout", header());
    }

    static String header() {
        return "# GENERATED from lookout.kafka.Topics: do not edit. Remake it with\n"
                + "#   ./lookout topics --strimzi lookout --env " + DEPLOYMENT_ENV + " > k8s/strimzi/kafka-topics.yaml\n"
                + "# (StrimziTopicsTest fails while this file differs from what the registry says.)\n";
    }

    static List<JsonNode> documents(String yaml) throws Exception {
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
            return it.readAll();
        }
    }

    @Test
    void givenTheTopicRegistryWhenRenderedForTheDeploymentThenTheCommittedKafkaTopicsAreExactlyThat() throws Exception {
        String expected = rendered();
        String committed = Files.readString(COMMITTED);
        if (!committed.equals(expected)) {
            Path fresh = Path.of("target/kafka-topics.yaml");
            Files.createDirectories(fresh.getParent());
            Files.writeString(fresh, expected);
            assertThat(committed).as(COMMITTED + " drifted from lookout.kafka.Topics: the fresh rendering is in " + fresh
                    + "; remake it with ./lookout topics --strimzi lookout --env " + DEPLOYMENT_ENV).isEqualTo(expected);
        }
    }

    @Test
    void givenTheRegistryWhenRenderedThenEveryTopicCarriesItsOwnSpec() throws Exception {
        List<JsonNode> docs = documents(rendered());
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        docs.forEach(d -> byName.put(d.at("/spec/topicName").asText(), d));
        assertThat(byName.keySet()).containsExactlyInAnyOrderElementsOf(StrimziTopics.all());
        TopicSettings deployed = LookoutConfig.withEnv(TopicsCommand.readEnv(DEPLOYMENT_ENV)).topics();
        for (String name : StrimziTopics.all()) {
            JsonNode d = byName.get(name);
            var spec = Topics.spec(name, deployed);
            assertThat(d.at("/kind").asText()).isEqualTo("KafkaTopic");
            assertThat(d.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo("lookout");
            assertThat(d.at("/spec/partitions").asInt()).as(name).isEqualTo(spec.numPartitions());
            assertThat(d.at("/spec/replicas").asInt()).as(name).isEqualTo(spec.replicationFactor());
            spec.configs().forEach((k, v) -> assertThat(d.at("/spec/config").get(k).asText()).as(name + " " + k).isEqualTo(v));
            assertThat(d.at("/spec/config").size()).as(name).isEqualTo(spec.configs().size());
        }
        // the deployment's env file is what sizes the frame topics, single-partition topics stay single
        assertThat(byName.get(Topics.FRAMES).at("/spec/partitions").asInt()).isEqualTo(12);
        assertThat(byName.get(Topics.CONTROL).at("/spec/partitions").asInt()).isEqualTo(1);
        assertThat(byName.get(Topics.MODELS).at("/spec/config/cleanup.policy").asText()).isEqualTo("compact");
    }

    @Test
    void givenAChangedSettingWhenRenderedThenTheOutputDiffersSoTheDriftCheckCanFail() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(TopicsCommand.readEnv(DEPLOYMENT_ENV));
        env.put("LOOKOUT_FRAME_MAX_BYTES", "4194304");
        String changed = StrimziTopics.render(LookoutConfig.withEnv(env).topics(), "lookout", header());
        assertThat(changed).isNotEqualTo(rendered()).contains("max.message.bytes: \"4259840\"");
    }
}
