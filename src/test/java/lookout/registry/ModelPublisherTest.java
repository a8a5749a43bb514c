package lookout.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Json;
import lookout.model.ModelMetadata;
import lookout.testing.TestKeys;

class ModelPublisherTest {
    @TempDir
    Path tmp;
    private InMemoryRegistry registry;
    private MockProducer<String, byte[]> producer;
    private ModelPublisher publisher;
    private Path artifact;
    private byte[] modelBytes;

    @BeforeEach
    void setUp() throws Exception {
        registry = new InMemoryRegistry(1000);
        producer = registry.producer;
        publisher = registry.publisher;
        artifact = Files.createDirectories(tmp.resolve("artifact"));
        modelBytes = new byte[2500];
        new Random(7).nextBytes(modelBytes);
        Files.write(artifact.resolve("model.pt"), modelBytes);
        writeMeta(artifact, null);
    }

    private static void writeMeta(Path dir, String sha) throws Exception {
        ModelMetadata meta = new ModelMetadata("lookout-pedestrian", "0", "test", List.of("__background__", "person"),
                320, 480, null, null, "1", null, Map.of("ap50", 0.8), sha, "2026-11-23T21:00:00Z");
        ObjectNode raw = Json.MAPPER.valueToTree(meta);
        raw.putArray("frozenPrefixes").add("backbone.body.0"); // a field ModelMetadata does not know
        Json.MAPPER.writeValue(dir.resolve("model.json").toFile(), raw);
    }

    private RegistryState replay() {
        return registry.snapshot();
    }

    @Test
    void shouldChunkModelAndWriteManifestLastInOneTransaction() throws Exception {
        ModelManifest m = publisher.publish(artifact, "2", false, null);
        assertThat(m.chunks()).isEqualTo(3);
        assertThat(producer.transactionCommitted()).isTrue();
        List<String> keys = producer.history().stream().map(ProducerRecord::key).toList();
        assertThat(keys).containsExactly("2/chunk/00000", "2/chunk/00001", "2/chunk/00002", "2");
        assertThat(producer.history()).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(1000));
    }

    @Test
    void shouldReassembleAndVerifyPublishedVersion() throws Exception {
        publisher.publish(artifact, "2", true, "1");
        RegistryState state = replay();
        Path out = state.assemble("2", tmp.resolve("out"));
        assertThat(Files.readAllBytes(out.resolve("model.pt"))).isEqualTo(modelBytes);
        ModelMetadata meta = Json.MAPPER.readValue(out.resolve("model.json").toFile(), ModelMetadata.class);
        assertThat(meta.version()).isEqualTo("2");
        assertThat(meta.sha256()).isEqualTo(state.manifest("2").sha256());
        assertThat(Json.MAPPER.readTree(out.resolve("model.json").toFile()).path("frozenPrefixes").get(0).asText())
                .isEqualTo("backbone.body.0");
        assertThat(lookout.model.ModelArtifact.open(out).metadata().version()).isEqualTo("2");
        assertThat(state.serving()).extracting(ServingPointer::version, ServingPointer::previous,
                ServingPointer::reason).containsExactly("2", "1", "published");
    }

    @Test
    void shouldSkipAChunkWrittenAfterItsManifestAndKeepThePublishedBytes() throws Exception {
        // Given a published version, read by a state that reports what it skips
        publisher.publish(artifact, "2", false, null);
        List<String> skipped = new java.util.ArrayList<>();
        RegistryState state = new RegistryState((key, reason, detail) -> skipped.add(reason + " " + key), TestKeys.trust());
        producer.history().forEach(r -> state.apply(r.key(), r.value()));
        // When someone writes another chunk 1 for it
        state.apply("2/chunk/00001", new byte[1000]);
        // Then the record is skipped as a rewrite, and the version reassembles to what was published
        assertThat(skipped).containsExactly("version-rewritten 2/chunk/00001");
        assertThat(Files.readAllBytes(state.assemble("2", tmp.resolve("out")).resolve("model.pt"))).isEqualTo(modelBytes);
    }

    @Test
    void shouldRefuseToAssembleWhenAChunkWasTamperedWithBeforeItsManifest() throws Exception {
        publisher.publish(artifact, "2", false, null);
        RegistryState state = new RegistryState(RegistryState.LOGGED, TestKeys.trust());
        for (ProducerRecord<String, byte[]> r : producer.history()) {
            state.apply(r.key(), r.key().equals("2/chunk/00001") ? new byte[1000] : r.value());
        }
        assertThatThrownBy(() -> state.assemble("2", tmp.resolve("out")))
                .isInstanceOf(ModelIntegrityException.class).hasMessageContaining("sha256")
                .extracting(e -> ((ModelIntegrityException) e).reason()).isEqualTo("integrity");
        assertThat(tmp.resolve("out/model.pt")).doesNotExist();
    }

    @Test
    void shouldRefuseToAssembleWhenAChunkIsMissing() throws Exception {
        publisher.publish(artifact, "2", false, null);
        RegistryState state = replay();
        state.apply("2/chunk/00002", null);
        assertThatThrownBy(() -> state.assemble("2", tmp.resolve("out")))
                .isInstanceOf(ModelIntegrityException.class).hasMessageContaining("lacks chunk 2");
    }

    @Test
    void shouldNotShowVersionWhoseManifestNeverArrived() {
        RegistryState state = new RegistryState();
        state.apply("5/chunk/00000", new byte[10]);
        assertThat(state.versions()).isEmpty();
        assertThat(state.latest()).isNull();
    }

    @Test
    void shouldRefuseArtifactWhoseMetadataShaDoesNotMatch() throws Exception {
        writeMeta(artifact, "00".repeat(32));
        assertThatThrownBy(() -> publisher.publish(artifact, "2", false, null))
                .isInstanceOf(ModelIntegrityException.class);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldAbortTransactionWhenSendingFails() {
        producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        producer.commitTransactionException = new org.apache.kafka.common.KafkaException("broker gone");
        assertThatThrownBy(() -> new ModelPublisher(producer, 1000, TestKeys.signer()).publish(artifact, "2", true, null))
                .isInstanceOf(org.apache.kafka.common.KafkaException.class);
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldPruneAllButNewestVersionsKeepingTheServingOne() throws Exception {
        for (int v = 1; v <= 4; v++) {
            publisher.publish(artifact, String.valueOf(v), v == 1, null);
        }
        RegistryState state = replay();
        List<String> pruned = publisher.prune(state, 2);
        assertThat(pruned).containsExactly("2");
        RegistryState after = replay();
        assertThat(after.versions()).extracting(ModelManifest::version).containsExactly("1", "3", "4");
        assertThat(after.keysOf("2")).isEmpty();
    }

    @Test
    void shouldNeverPruneAVersionACameraServesAsItsOwn() throws Exception {
        for (int v = 1; v <= 4; v++) {
            publisher.publish(artifact, String.valueOf(v), v == 1, null);
        }
        publisher.inTransaction(List.of(ModelPublisher.servingRecord("door",
                new ServingPointer("2", null, "published", 1L))), java.util.Map.of(), null);
        List<String> pruned = publisher.prune(replay(), 1);
        assertThat(pruned).containsExactly("3");
        assertThat(replay().versions()).extracting(ModelManifest::version).containsExactly("1", "2", "4");
    }

    @Test
    void shouldListACamerasOwnModelAndStepItsRollbackBackToTheGeneralModel() throws Exception {
        publisher.publish(artifact, "1", true, null);
        publisher.publish(artifact, "2", false, null);
        publisher.publish(artifact, "3", false, null);
        ServingChange.Move first = ServingChange.resolve(replay(), "door", "2", "promote");
        publisher.inTransaction(List.of(ModelPublisher.servingRecord(first.camera(), first.pointer())), java.util.Map.of(), null);
        ServingChange.Move second = ServingChange.resolve(replay(), "door", "3", "promote");
        publisher.inTransaction(List.of(ModelPublisher.servingRecord(second.camera(), second.pointer())), java.util.Map.of(), null);
        assertThat(ModelsCommand.format(replay())).contains("serving: 1").contains("camera door serves its own: 3 (promote, previous 2)");

        // rolling the camera back steps to its earlier model, then to the general one: it never swings back to 3
        ServingChange.Move back = ServingChange.resolve(replay(), "door", null, "rollback");
        assertThat(back.pointer().version()).isEqualTo("2");
        publisher.inTransaction(List.of(ModelPublisher.servingRecord(back.camera(), back.pointer())), java.util.Map.of(), null);
        ServingChange.Move general = ServingChange.resolve(replay(), "door", null, "rollback");
        assertThat(general.pointer()).as("a tombstone: the camera follows the general model").isNull();
        assertThat(general.describe()).contains("follows the general serving version");
        assertThatThrownBy(() -> ServingChange.resolve(replay(), "hall", null, "rollback"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no model of its own");
    }

    @Test
    void shouldResolveRollbackToPreviousServingVersion() throws Exception {
        publisher.publish(artifact, "1", true, null);
        publisher.publish(artifact, "2", true, "1");
        RegistryState state = replay();
        ServingPointer p = ServingChange.resolve(state, null, "rollback");
        assertThat(p.version()).isEqualTo("1");
        assertThat(p.previous()).isEqualTo("2");
        assertThatThrownBy(() -> ServingChange.resolve(state, "9", "promote"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not published");
        assertThat(state.nextVersion()).isEqualTo("3");
        assertThat(ModelsCommand.format(state)).containsPattern("(?m)^\\*\\s+2\\s").contains("serving: 2");
    }
}
