package lookout.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lookout.kafka.Topics;
import lookout.model.ModelArtifact;
import lookout.testing.TestBroker;
import lookout.testing.TestKeys;
import lookout.testing.TestSettings;

/** The registry on a real (embedded) broker: chunked transactional publish, read back, prune. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ModelRegistryIT {
    /** The configured chunk size (512 KiB), well under the models topic's record limit. */
    static final int CHUNK = TestSettings.config().models().chunkBytes();
    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    @TempDir
    Path tmp;

    private Path artifact(int bytes, long seed) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("a" + seed));
        byte[] model = new byte[bytes];
        new Random(seed).nextBytes(model);
        Files.write(dir.resolve("model.pt"), model);
        Files.writeString(dir.resolve("model.json"),
                "{\"name\":\"lookout-pedestrian\",\"classes\":[\"__background__\",\"person\"],\"scoreThresh\":0.3}");
        return dir;
    }

    /** The registry on the test broker, writing under its own transactional id. */
    private static KafkaModelRegistry registry(String transactionalId) {
        return new KafkaModelRegistry(broker.clients(), transactionalId, CHUNK, TestKeys.signer(), TestKeys.trust());
    }

    @Test
    void shouldPublishModelLargerThanMessageLimitAndReadItBackVerified() throws Exception {
        Path src = artifact(2_500_000, 1); // > 1 MB: needs several 512 KB chunks
        RegistryState state;
        try (KafkaModelRegistry registry = registry("it-publish")) {
            registry.publish(src, "7", true, null);
            state = registry.snapshot();
        }
        assertThat(state.manifest("7").chunks()).isEqualTo(5);
        assertThat(state.serving().version()).isEqualTo("7");
        Path out = state.assemble("7", tmp.resolve("fetched"));
        assertThat(Files.readAllBytes(out.resolve("model.pt"))).isEqualTo(Files.readAllBytes(src.resolve("model.pt")));
        assertThat(ModelArtifact.open(out).scoreThreshold()).contains(0.3);
    }

    @Test
    void shouldNeverShowAHalfPublishedModel() throws Exception {
        try (KafkaProducer<String, byte[]> p = broker.clients().transactionalProducer("it-crash")) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>(Topics.MODELS, RegistryKeys.chunk("99", 0), new byte[1000])).get();
            p.send(new ProducerRecord<>(Topics.MODELS, RegistryKeys.manifest("99"),
                    "{\"version\":\"99\",\"chunks\":2,\"chunkSize\":1000,\"size\":2000,\"sha256\":\"x\"}".getBytes()))
                    .get();
            // the publisher dies here: no commit; a successor with the same id fences and aborts it
        }
        try (KafkaProducer<String, byte[]> successor = broker.clients().transactionalProducer("it-crash")) {
            successor.initTransactions();
            RegistryState state = registry("it-reader").snapshot();
            assertThat(state.manifest("99")).isNull();
            assertThatThrownBy(() -> state.assemble("99", tmp.resolve("x"))).isInstanceOf(ModelIntegrityException.class);
        }
    }

    @Test
    void shouldPruneOldVersionsWithTombstonesButKeepTheServingOne() throws Exception {
        RegistryState after;
        try (KafkaModelRegistry registry = registry("it-prune")) {
            registry.publish(artifact(1000, 11), "11", true, null);
            registry.publish(artifact(1000, 12), "12", false, null);
            registry.publish(artifact(1000, 13), "13", false, null);
            registry.setServing(ServingChange.resolve(registry.snapshot(), "11", "promote"));
            registry.prune(registry.snapshot(), 1);
            after = registry.snapshot();
        }
        assertThat(after.manifest("11")).isNotNull(); // serving
        assertThat(after.manifest("12")).isNull();
        assertThat(after.manifest("13")).isNotNull(); // newest
        assertThat(ModelsCommand.format(after)).contains("serving: 11");
    }
}
