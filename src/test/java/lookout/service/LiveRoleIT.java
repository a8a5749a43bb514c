package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.auth.Role;
import lookout.common.Json;
import lookout.kafka.Topics;
import lookout.testing.AppProcess;
import lookout.testing.LookoutProcess;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;
import lookout.testing.TestUsers;

/**
 * The live page as its own role, as k8s/base deploys it: a detector with {@code lookout.live.enabled=false}
 * and a {@code lookout live} process, both the packaged app. The live process shows the camera the
 * detector analyses (picture and that frame's detections), is ready once it follows the topics, and
 * the detector serves no page (so it reads no frame for one). Both behind the login, as deployed.
 */
@Timeout(300)
class LiveRoleIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String USER = "olga";
    static final String PASSWORD = "olga's long password";
    AppProcess detector;
    AppProcess live;

    @TempDir
    Path tmp;

    @AfterEach
    void stop() throws InterruptedException {
        if (live != null) {
            live.close();
        }
        if (detector != null) {
            detector.close();
        }
    }

    static HttpResponse<String> get(AppProcess p, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(p.url(path))).header("Authorization",
                AppProcess.basic(USER, PASSWORD)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void givenADetectorWithoutThePageAndALiveProcessWhenACameraSendsThenOnlyTheLiveProcessShowsItsAnalysedFrame()
            throws Exception {
        // Given a detector with the page off and the live role beside it, one viewer in the users file
        LookoutProcess.assumePackaged();
        Path users = new TestUsers().add(USER, Role.VIEWER, PASSWORD).write(tmp.resolve("users"));
        Map<String, String> d = new HashMap<>();
        d.put("LOOKOUT_AUTH_USERS_FILE", users.toString());
        d.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        d.put("LOOKOUT_TOPICS_PARTITIONS", "2");
        d.put("LOOKOUT_MODEL_DIR", TestModels.tinyModelDir().toAbsolutePath().toString());
        d.put("LOOKOUT_LIVE_ENABLED", "false");
        d.put("LOOKOUT_MODELS_WATCH", "false");
        d.put("LOOKOUT_INSTANCE_ID", "live-role-it-detector");
        d.put("LOOKOUT_APPLICATION_ID", "live-role-it");
        d.put("LOOKOUT_STATE_DIR", Files.createTempDirectory("live-role-it-").toString());
        detector = AppProcess.start("live-role-detector", "serve", d);
        Map<String, String> l = new HashMap<>();
        l.put("LOOKOUT_AUTH_USERS_FILE", users.toString());
        l.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        l.put("LOOKOUT_TOPICS_PARTITIONS", "2");
        l.put("LOOKOUT_INSTANCE_ID", "live-role-it-live");
        live = AppProcess.start("live-role-live", "live", l);
        live.awaitReady(Duration.ofSeconds(120));
        detector.awaitReady(Duration.ofSeconds(180));
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(live.managementUrl("/q/health/ready"))).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("\"live\"").contains("ready");

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
                JsonNode state = Json.MAPPER.readTree(get(live, "/live/state").body());
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
        HttpResponse<String> detectorPage = get(detector, "/live/state");
        assertThat(detectorPage.statusCode()).isEqualTo(503);
        assertThat(detectorPage.body()).contains("no live page in this process");
    }
}
