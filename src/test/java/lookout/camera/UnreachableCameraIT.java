package lookout.camera;

import static lookout.camera.RtspCameraIT.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.broker.EmbeddedBroker;
import lookout.config.CameraSettings;
import lookout.testing.TestBroker;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** A camera nobody answers for: alone it fails fast and clearly; in a group the others carry on. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class UnreachableCameraIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @BeforeAll
    static void assumeTools() {
        TestMedia.assumeFfmpeg();
    }

    private static String closedPortUrl() throws Exception {
        return "rtsp://127.0.0.1:" + EmbeddedBroker.freePort() + "/x";
    }

    @Test
    void shouldFailFastWithTheReasonWhenACameraAloneCannotBeOpened() throws Exception {
        String url = closedPortUrl();
        broker.createTopic("frames-unreachable", 1);
        try (Producer<String, byte[]> producer = CameraProducers.create(broker.clients(), "camera-test");
                CameraBridge bridge = new CameraBridge(CameraTests.live("ghost", url), producer, "frames-unreachable",
                        new SimpleMeterRegistry(), CameraTests.settings())) {
            long start = System.nanoTime();
            assertThatThrownBy(bridge::run)
                    .isInstanceOf(CameraUnavailableException.class)
                    .hasMessageContaining("camera ghost")
                    .hasMessageContaining(url)
                    .hasMessageContaining("Connection refused");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(bridge.state()).isEqualTo(CameraState.FAILED);
        }
    }

    @Test
    void shouldExitNonZeroFromTheCommandWhenItsOnlyCameraCannotBeOpened() throws Exception {
        String url = closedPortUrl();
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            exit = CompletableFuture.supplyAsync(() -> new CommandLine(new CameraCommand()).execute(
                    "--source", url, "--camera-id", "ghost", "--bootstrap-servers", broker.bootstrapServers(),
                    "--topic", "frames-cli", "--status-interval", "0")).get(60, TimeUnit.SECONDS);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("camera ghost: cannot open " + url)
                .contains("Connection refused");
    }

    @Test
    void shouldKeepTheOtherCamerasSendingWhenOneOfAGroupIsUnreachable() throws Exception {
        Path clip = TestMedia.clip(40, "libx264", "mkv");
        String topic = "frames-group";
        broker.createTopic(topic, 2);
        List<CameraSpec> specs = CameraConfigFile.parse(List.of(
                "ghost   " + closedPortUrl(),
                "missing /nonexistent/clip.mp4",
                "door    " + clip + "   loop fps=5"), "test.conf", new CameraSpec("d", "-", 0, 0, 80, false, true));
        CameraSettings settings = CameraTests.settings().withFailFast(false)
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(500));
        try (Producer<String, byte[]> producer = CameraProducers.create(broker.clients(), "camera-test");
                CameraGroup group = new CameraGroup(specs, producer, topic, new SimpleMeterRegistry(), settings)) {
            CompletableFuture<Map<String, String>> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return group.run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            CameraBridge ghost = group.bridges().get(0);
            CameraBridge missing = group.bridges().get(1);
            CameraBridge door = group.bridges().get(2);

            await(() -> door.stats().sent() >= 10 && ghost.stats().reconnects() >= 3, Duration.ofSeconds(60),
                    "the door camera to send while the ghost camera retries");
            long sent = door.stats().sent();
            await(() -> door.stats().sent() >= sent + 5, Duration.ofSeconds(30), "the door camera to keep sending");

            assertThat(ghost.state()).isEqualTo(CameraState.RECONNECTING);
            assertThat(ghost.stats().sent()).isZero();
            assertThat(missing.state()).isEqualTo(CameraState.FAILED);
            assertThat(door.state()).isEqualTo(CameraState.STREAMING);
            assertThat(group.statusLine()).contains("ghost RECONNECTING").contains("missing FAILED")
                    .contains("door STREAMING");

            group.close();
            Map<String, String> failures = run.get(30, TimeUnit.SECONDS);
            assertThat(failures).containsOnlyKeys("missing");
            assertThat(failures.get("missing")).contains("no such file: /nonexistent/clip.mp4");
        }
    }
}
