package lookout.inference.swap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;
import lookout.config.FramePolicy;
import lookout.inference.DjlDetector;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.registry.KafkaModelRegistry;
import lookout.registry.ModelManifest;
import lookout.registry.ModelPublisher;
import lookout.service.DetectionService;
import lookout.testing.RegistryWatch;
import lookout.testing.TestBroker;
import lookout.testing.TestKeys;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/**
 * Whoever can write {@code lookout.models} tries to run their model on a detector (real broker, real
 * DJL, the tiny model): an unsigned model, one signed by a key the detector does not trust, a valid
 * signature replayed onto another version, a rewritten manifest for the version being served, and a
 * tampered model.pt under a valid signed manifest. Each is refused with its reason while the old model
 * keeps answering frames, the replica stays ready and reports the divergence; a valid version then
 * still loads.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostileRegistryIT {
    static final int CHUNK = TestSettings.config().models().chunkBytes();
    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    @TempDir
    Path tmp;

    private Path version(String v) throws Exception {
        return TestModels.variant(TestModels.tinyModelDir(), tmp.resolve("v" + v), v);
    }

    /** The records of a publish, with the manifest replaced. */
    private static List<ProducerRecord<String, byte[]>> withManifest(ModelPublisher.Publication p, ModelManifest m)
            throws Exception {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(p.records());
        records.set(m.chunks(), new ProducerRecord<>(Topics.MODELS, m.version(), Json.MAPPER.writeValueAsBytes(m)));
        return records;
    }

    @Test
    void shouldRefuseEveryHostileRegistryRecordWhileTheOldModelAnswersAndTheReplicaStaysReady() throws Exception {
        KafkaClients clients = broker.clients();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (RegistryWatch watch = new RegistryWatch(broker);
                DetectionService detector = new DetectionService(TestSettings.detector(TestModels.tinyModelDir(),
                        "it-hostile-models", 1).withScheduling(FramePolicy.EVERY_FRAME), clients, meters,
                        DjlDetector::load, Clock.systemUTC()).start();
                HotSwap swap = HotSwap.start(clients, detector.pool(), List.of("cpu"), detector.factory(), detector.metrics(),
                        tmp.resolve("cache"), TestKeys.trust());
                KafkaModelRegistry trainer = new KafkaModelRegistry(clients, "it-trainer", CHUNK, TestKeys.signer(),
                        TestKeys.trust());
                KafkaModelRegistry unsigned = new KafkaModelRegistry(clients, "it-unsigned", CHUNK, null, null);
                KafkaModelRegistry stranger = new KafkaModelRegistry(clients, "it-stranger", CHUNK,
                        TestKeys.stranger(), null)) {
            detector.followRegistry(swap::inStep, swap::alive, swap::divergence);
            RegistryWatch.await("the detector ready", detector::ready, Duration.ofMinutes(2));
            // Given the trainer's signed version 1, served
            trainer.publish(version("1"), "1", true, null);
            watch.await("model-loaded", e -> e.path("version").asText().equals("1"), Duration.ofMinutes(1));
            assertThat(watch.versionThatAnswers("cam")).isEqualTo("1");
            double divergentBefore = meters.get("lookout.model.divergent").gauge().value();

            // When an unsigned model is published as serving
            unsigned.publish(version("2"), "2", true, "1");
            expectRefused(watch, detector, meters, "2", "unsigned");
            // one signed by a key the detector does not trust
            stranger.publish(version("3"), "3", true, "2");
            expectRefused(watch, detector, meters, "3", "unknown-key");
            // version 1's valid signature replayed onto a manifest for a new version 4 (other bytes)
            ModelManifest v1 = trainer.snapshot().manifest("1");
            ModelPublisher.Publication p4 = unsigned.publication(version("4"), "4", true, "3");
            ModelManifest m4 = p4.manifest();
            unsigned.commit(withManifest(p4, new ModelManifest("4", m4.chunks(), m4.chunkSize(), m4.size(), m4.sha256(),
                    m4.publishedAt(), m4.metadata(), v1.signature())), Map.of(), null);
            expectRefused(watch, detector, meters, "4", "bad-signature");
            // a tampered model.pt under a valid signed manifest (the trainer's own publication, one byte changed)
            ModelPublisher.Publication p5 = trainer.publication(version("5"), "5", true, "4");
            List<ProducerRecord<String, byte[]>> tampered = new ArrayList<>(p5.records());
            byte[] chunk = tampered.get(0).value().clone();
            chunk[chunk.length / 2] ^= 1;
            tampered.set(0, new ProducerRecord<>(Topics.MODELS, tampered.get(0).key(), chunk));
            trainer.commit(tampered, Map.of(), null);
            expectRefused(watch, detector, meters, "5", "integrity");
            // and a rewritten manifest for the serving version: the trusted key itself publishes other bytes as 1
            int loadedBefore = watch.events("model-loaded").size();
            trainer.publish(version("1-rewritten"), "1", true, "5");
            watch.await("registry-record-skipped", e -> e.path("key").asText().equals("1")
                    && e.path("reason").asText().equals("version-rewritten"), Duration.ofMinutes(1));
            RegistryWatch.await("back in step with version 1", swap::inStep, Duration.ofMinutes(1));

            // Then the first version 1 still answers, nothing was swapped again, and the replica is no longer divergent
            assertThat(watch.versionThatAnswers("cam")).isEqualTo("1");
            assertThat(watch.events("model-loaded")).hasSize(loadedBefore);
            assertThat(swap.divergence()).isNull();
            assertThat(meters.get("lookout.model.divergent").gauge().value()).isZero();
            assertThat(divergentBefore).isZero();
            for (String reason : List.of("unsigned", "unknown-key", "bad-signature", "integrity")) {
                assertThat(meters.get("lookout.model.refused").tag("reason", reason).counter().count()).as(reason).isEqualTo(1);
            }
            assertThat(meters.get("lookout.registry.records.skipped").tag("reason", "version-rewritten").counter().count())
                    .as("the rewritten chunks and manifest").isGreaterThanOrEqualTo(2);
            // and a valid signed version still loads
            trainer.publish(version("6"), "6", true, "1");
            watch.await("model-loaded", e -> e.path("version").asText().equals("6"), Duration.ofMinutes(1));
            assertThat(watch.versionThatAnswers("cam")).isEqualTo("6");
            assertThat(watch.events("model-loaded")).extracting(e -> e.path("version").asText()).containsExactly("1", "6");
            assertThat(Files.exists(tmp.resolve("cache/2"))).as("an untrusted version is not even written to disk").isFalse();
            System.out.printf("HostileRegistryIT: refused %s; version 1 answered throughout%n", watch.events("model-refused")
                    .stream().map(e -> e.path("version").asText() + ":" + e.path("reason").asText()).toList());
        }
    }

    /** The serving version was refused with this reason, version 1 still answers, the replica is ready and divergent. */
    private static void expectRefused(RegistryWatch watch, DetectionService detector, SimpleMeterRegistry meters,
            String version, String reason) throws Exception {
        JsonNode refused = watch.await("model-refused", e -> e.path("version").asText().equals(version), Duration.ofMinutes(1));
        assertThat(refused.path("reason").asText()).as("refusal of %s: %s", version, refused).isEqualTo(reason);
        assertThat(refused.path("serving").asText()).isEqualTo("1");
        assertThat(watch.versionThatAnswers("cam")).as("the frame after version %s", version).isEqualTo("1");
        assertThat(detector.ready()).as("ready while refusing %s", version).isTrue();
        assertThat(detector.registryDivergence()).contains("version " + version).contains(reason);
        assertThat(meters.get("lookout.model.divergent").gauge().value()).isEqualTo(1.0);
    }
}
