package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.broker.EmbeddedBroker;
import lookout.common.Json;
import lookout.kafka.Topics;
import lookout.testing.LookoutProcess;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;

/**
 * The live page as its own role, as k8s/base deploys it: a detector with {@code lookout.live.enabled=false}
 * and a {@code lookout live} process, both the packaged app. The live process shows the camera the
 * detector analyses (picture and that frame's detections), is ready once it follows the topics, and
 * the detector serves no page (so it reads no frame for one).
 */
@Timeout(300)
class LiveRoleIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    LookoutProcess detector;
    LookoutProcess live;

    @AfterEach
    void stop() throws InterruptedException {
        if (live != null) {
            live.close();
        }
        if (detector != null) {
            detector.close();
        }
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void awaitReady(LookoutProcess p, int port, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(p.alive()).as("process running: " + p.tail()).isTrue();
            try {
                if (get(port, "/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not ready within " + timeout + ": " + p.tail());
    }

    static Map<String, String> config(int httpPort) {
        Map<String, String> c = new HashMap<>();
        c.put("quarkus.http.port", String.valueOf(httpPort));
        c.put("lookout.topics.partitions", "2");
        return c;
    }

    @Test
    void givenADetectorWithoutThePageAndALiveProcessWhenACameraSendsThenOnlyTheLiveProcessShowsItsAnalysedFrame()
            throws Exception {
        // Given a detector with the page off and the live role beside it
        LookoutProcess.assumePackaged();
        int detectorPort = EmbeddedBroker.freePort();
        int livePort = EmbeddedBroker.freePort();
        Map<String, String> d = config(detectorPort);
        d.put("lookout.model.dir", TestModels.tinyModelDir().toAbsolutePath().toString());
        d.put("lookout.live.enabled", "false");
        d.put("lookout.models.watch", "false");
        d.put("lookout.instance-id", "live-role-it-detector");
        d.put("lookout.application-id", "live-role-it");
        d.put("lookout.state-dir", java.nio.file.Files.createTempDirectory("live-role-it-").toString());
        detector = LookoutProcess.start("live-role-detector", d, Map.of(), "serve", "--bootstrap-servers",
                broker.bootstrapServers());
        Map<String, String> l = config(livePort);
        l.put("lookout.instance-id", "live-role-it-live");
        live = LookoutProcess.start("live-role-live", l, Map.of(), "live", "--bootstrap-servers", broker.bootstrapServers());
        awaitReady(live, livePort, Duration.ofSeconds(120));
        awaitReady(detector, detectorPort, Duration.ofSeconds(180));
        assertThat(get(livePort, "/q/health/ready").body()).contains("\"live\"").contains("ready");

        // When a camera sends frames
        byte[] jpeg = TestFrames.jpeg(160, 120);
        JsonNode camera = null;
        try (KafkaProducer<String, byte[]> producer = broker.clients().producer("live-role-it-camera")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            for (long seq = 1; System.nanoTime() < deadline && camera == null; seq++) {
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.FRAMES, "live-role-cam", jpeg);
                r.headers().add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
                r.headers().add(Topics.HEADER_TS, String.valueOf(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
                producer.send(r).get();
                Thread.sleep(500);
                JsonNode state = Json.MAPPER.readTree(get(livePort, "/live/state").body());
                for (JsonNode c : state.findValues("camera")) {
                    if (c.asText().equals("live-role-cam")) {
                        camera = state;
                    }
                }
            }
        }

        // Then the live process shows the camera the detector analysed, and the detector serves no page
        assertThat(camera).as("the live role shows live-role-cam: " + live.tail()).isNotNull();
        assertThat(camera.toString()).contains("live-role-cam");
        HttpResponse<String> detectorPage = get(detectorPort, "/live/state");
        assertThat(detectorPage.statusCode()).isEqualTo(503);
        assertThat(detectorPage.body()).contains("no live page in this process");
    }
}
