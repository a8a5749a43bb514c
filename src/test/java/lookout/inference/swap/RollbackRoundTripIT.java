package lookout.inference.swap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import lookout.config.FramePolicy;
import lookout.inference.DjlDetector;
import lookout.kafka.KafkaClients;
import lookout.registry.KafkaModelRegistry;
import lookout.registry.ModelsCommand;
import lookout.service.DetectionService;
import lookout.testing.RegistryWatch;
import lookout.testing.TestBroker;
import lookout.testing.TestKeys;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/**
 * Rollback in a live process: one detector (real broker, real DJL, the tiny model in two signed
 * versions) goes v1 -> v2 -> rollback -> v1 -> promote -> v2 without a restart, each step through
 * the `models` CLI, and a frame sent after each step is answered by the version the registry serves.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RollbackRoundTripIT {
    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    @TempDir
    Path tmp;

    /** Runs `lookout models ARGS` against the test broker, trusting the test key as a real operator's CLI would. */
    private static int models(String... args) {
        String key = "lookout.models.trusted-keys";
        String before = System.getProperty(key);
        System.setProperty(key, TestKeys.PUBLIC.toString());
        try {
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--bootstrap-servers", broker.bootstrapServers())).toArray(String[]::new);
            return new CommandLine(new ModelsCommand()).execute(all);
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    private static void awaitLoaded(RegistryWatch watch, int count, String version) throws InterruptedException {
        RegistryWatch.await("model-loaded #" + count + " (version " + version + ")",
                () -> watch.events("model-loaded").size() >= count, Duration.ofMinutes(1));
        assertThat(watch.events("model-loaded").get(count - 1).path("version").asText()).isEqualTo(version);
    }

    @Test
    void shouldRollBackAndPromoteAgainWithoutARestartAnsweringEachFrameWithTheServingVersion() throws Exception {
        // Given a detector serving the tiny model from disk and following the registry, and two signed versions of it
        Path tiny = TestModels.tinyModelDir();
        Path v1 = TestModels.variant(tiny, tmp.resolve("v1"), "1");
        Path v2 = TestModels.variant(tiny, tmp.resolve("v2"), "2");
        KafkaClients clients = broker.clients();
        try (RegistryWatch watch = new RegistryWatch(broker);
                DetectionService detector = new DetectionService(TestSettings.detector(tiny, "it-rollback", 1)
                        .withScheduling(FramePolicy.EVERY_FRAME), clients, new SimpleMeterRegistry(), DjlDetector::load,
                        Clock.systemUTC()).start();
                HotSwap swap = HotSwap.start(clients, detector.pool(), List.of("cpu"), detector.factory(), detector.metrics(),
                        tmp.resolve("cache"), TestKeys.trust());
                KafkaModelRegistry trainer = new KafkaModelRegistry(clients, "it-rollback-trainer",
                        TestSettings.config().models().chunkBytes(), TestKeys.signer(), TestKeys.trust())) {
            detector.followRegistry(swap::inStep, swap::alive, swap::divergence);
            RegistryWatch.await("the detector ready", detector::ready, Duration.ofMinutes(2));

            // When v1 is published, then v2, each as serving
            trainer.publish(v1, "1", true, null);
            awaitLoaded(watch, 1, "1");
            assertThat(watch.versionThatAnswers("cam")).isEqualTo("1");
            trainer.publish(v2, "2", true, "1");
            awaitLoaded(watch, 2, "2");
            assertThat(watch.versionThatAnswers("cam")).isEqualTo("2");

            // and the operator rolls back (to the version served before), then promotes v2 again
            assertThat(models("rollback")).isZero();
            awaitLoaded(watch, 3, "1");
            assertThat(watch.versionThatAnswers("cam")).isEqualTo("1");
            assertThat(models("promote", "2")).isZero();
            awaitLoaded(watch, 4, "2");

            // Then every step swapped in this one process, and frames were answered by the right version each time
            assertThat(watch.versionThatAnswers("cam")).isEqualTo("2");
            List<String> reasons = watch.events("model-loaded").stream().map(e -> e.path("reason").asText()).toList();
            assertThat(reasons).containsExactly("published", "published", "rollback", "promote");
            assertThat(watch.events("model-refused")).isEmpty();
            assertThat(detector.ready()).isTrue();
            assertThat(swap.inStep()).isTrue();
            JsonNode last = watch.events("model-loaded").get(3);
            assertThat(last.path("keyId").asText()).isEqualTo(TestKeys.signer().keyId());
            System.out.printf("RollbackRoundTripIT: v1 -> v2 -> v1 -> v2 in one process, swap seconds %s%n",
                    watch.events("model-loaded").stream().map(e -> e.path("seconds").asText()).toList());
        }
    }
}
