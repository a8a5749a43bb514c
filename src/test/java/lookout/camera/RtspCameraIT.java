package lookout.camera;

import static lookout.camera.CameraTests.header;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.broker.EmbeddedBroker;
import lookout.config.CameraSettings;
import lookout.testing.TestBroker;
import lookout.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bridge against a real RTSP server (gst-rtsp-server) that dies, comes back, and hangs. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RtspCameraIT {
    private static final Logger LOG = Logger.getLogger(RtspCameraIT.class);
    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    static final CameraSettings SETTINGS = CameraTests.settings()
            .withReadTimeout(Duration.ofSeconds(3))
            .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));

    @BeforeAll
    static void assumeTools() throws Exception {
        RtspTestServer.assumeAvailable();
    }

    @Test
    void shouldReconnectAfterTheServerRestartsAndKeepSequenceNumbersIncreasing() throws Exception {
        String topic = "frames-rtsp-restart";
        broker.createTopic(topic, 1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int port = EmbeddedBroker.freePort();
        try (RtspTestServer server = new RtspTestServer(port).start();
                Producer<String, byte[]> producer = CameraProducers.create(broker.clients(), "camera-test");
                CameraBridge bridge = new CameraBridge(CameraTests.live("gate", server.url()), producer, topic,
                        registry, SETTINGS)) {
            Thread runner = new Thread(bridge::run, "bridge-under-test");
            runner.start();

            // Given frames flowing from a live RTSP camera
            await(() -> bridge.stats().sent() >= 20, Duration.ofSeconds(60), "first frames");
            long sentBefore = bridge.stats().sent();

            // When the server dies mid-stream
            server.kill();
            await(() -> bridge.stats().reconnects() > 0, Duration.ofSeconds(20), "a reconnect attempt");
            assertThat(bridge.state()).isEqualTo(CameraState.RECONNECTING);
            Thread.sleep(1500);
            long sentWhileDown = bridge.stats().sent();

            // and comes back on the same port
            server.start();
            long restarted = System.nanoTime();
            await(() -> bridge.stats().sent() > sentWhileDown, Duration.ofSeconds(30), "frames after restart");
            long resumeMillis = (System.nanoTime() - restarted) / 1_000_000;
            LOG.infof("MEASURED: frames resumed %d ms after the RTSP server restarted (backoff max 1 s)", resumeMillis);
            await(() -> bridge.stats().sent() >= sentWhileDown + 20, Duration.ofSeconds(30), "20 more frames");

            // Then the reconnect is counted, and the topic holds one strictly increasing sequence
            assertThat(registry.get("lookout.camera.reconnects").tag("camera", "gate").functionCounter().count())
                    .isGreaterThan(0);
            assertThat(bridge.state()).isEqualTo(CameraState.STREAMING);
            bridge.close();
            runner.join(10_000);
            CameraStats stats = bridge.stats();
            assertThat(sentBefore).isPositive();

            try (KafkaConsumer<String, byte[]> consumer = broker.consumer(topic)) {
                List<ConsumerRecord<String, byte[]>> records = TestBroker.readUntil(consumer,
                        r -> r.size() >= stats.sent(), Duration.ofSeconds(30));
                assertThat(records).hasSize((int) stats.sent());
                long[] seqs = records.stream().mapToLong(r -> header(r, Topics.HEADER_SEQ)).toArray();
                for (int i = 1; i < seqs.length; i++) {
                    assertThat(seqs[i]).as("seq at %d", i).isGreaterThan(seqs[i - 1]);
                }
                assertThat(seqs[seqs.length - 1]).isEqualTo(stats.lastSeq());
                assertThat(records).allSatisfy(r -> {
                    assertThat(r.key()).isEqualTo("gate");
                    assertThat(CameraTests.isJpeg(r.value())).isTrue();
                    assertThat(header(r, Topics.HEADER_TS)).isPositive();
                });
            }
        }
    }

    @Test
    void shouldTreatAStalledStreamAsLostAndReconnectWhenItAnswersAgain() throws Exception {
        String topic = "frames-rtsp-stall";
        broker.createTopic(topic, 1);
        int port = EmbeddedBroker.freePort();
        try (RtspTestServer server = new RtspTestServer(port).start();
                Producer<String, byte[]> producer = CameraProducers.create(broker.clients(), "camera-test");
                CameraBridge bridge = new CameraBridge(CameraTests.live("hall", server.url()), producer, topic,
                        new SimpleMeterRegistry(), SETTINGS)) {
            Thread runner = new Thread(bridge::run, "bridge-under-test");
            runner.start();
            await(() -> bridge.stats().sent() >= 20, Duration.ofSeconds(60), "first frames");

            // When the server hangs: connected, silent
            server.freeze();
            long frozen = System.nanoTime();
            await(() -> bridge.stats().reconnects() > 0, Duration.ofSeconds(20), "the stall to be noticed");
            LOG.infof("MEASURED: stall noticed after %d ms (read timeout 3 s)", (System.nanoTime() - frozen) / 1_000_000);
            long sentWhileFrozen = bridge.stats().sent();

            // Then it recovers once the server answers again
            server.thaw();
            await(() -> bridge.stats().sent() >= sentWhileFrozen + 20, Duration.ofSeconds(60), "frames after the stall");
            assertThat(bridge.state()).isEqualTo(CameraState.STREAMING);
        }
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
