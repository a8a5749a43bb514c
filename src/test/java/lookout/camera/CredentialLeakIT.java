package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import lookout.auth.Role;
import lookout.kafka.KafkaClients;
import lookout.testing.AppProcess;
import lookout.testing.LookoutProcess;
import lookout.testing.TestBroker;
import lookout.testing.TestUsers;

/**
 * Hostile camera URLs never show: the packaged app's camera bridge and demo run as real processes
 * against cameras on loopback (an HTTP server that wants Basic auth and serves a clip, an RTSP server
 * that answers 401, a closed port) with passwords holding {@code @ : % space "}, credentials in the
 * query, a token in the path, token-only user info, percent-encoded passwords and values from
 * {@code ${VAR}}, {@code VAR_FILE} and {@code ${file:}}; FFmpeg logging at debug (it prints whole
 * requests with their Authorization header). Everything captured (both processes' output, the
 * metrics, the live page's state and events, health, every record of every topic) is scanned for
 * every secret in every form: raw, percent-encoded, percent-decoded, HTTP Basic base64. Positive
 * controls make sure there was something to leak: the servers saw the credentials, FFmpeg's lines
 * were captured, the good camera's frames reached Kafka and the live page.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class CredentialLeakIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path tmp;
    private static HttpServer http;
    private static ServerSocket rtsp;
    private static int closedPort;
    private static Path clip;
    /** Authorization headers the fake cameras received: proof that FFmpeg held the credentials. */
    private static final Set<String> authorizations = ConcurrentHashMap.newKeySet();

    private static String rand(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // the secrets: random per run, so nothing else in the output can contain them by chance
    private static final String GOOD_PW = "Vw" + rand(5) + "x";
    private static final String GOOD_TOKEN = "tk" + rand(6);
    private static final String AT_COLON_PERCENT_PW = "P@ss:w0rd%zz" + rand(4);
    private static final String QUERY_PW = "Qp" + rand(6);
    private static final String PATH_TOKEN = rand(16); // 32 hex digits
    private static final String ENV_PW = "sp ace\"q" + rand(4);
    private static final String FILE_TOKEN = "ft" + rand(6);
    private static final String ENCODED_PW_RAW = "p@ss:w" + rand(4);
    private static final String TLS_PW = "Tl" + rand(6);
    private static final String USER_TOKEN = "ghp_" + rand(12);
    /** Logins of the packaged roles' HTTP (not camera credentials: the scan does not look for them). */
    private static final String VIEWER = "leak-viewer";
    private static final String VIEWER_PW = "viewer-" + rand(4);
    private static final String SCRAPER = "leak-scraper";
    private static final String SCRAPER_PW = "scraper-" + rand(4);

    @BeforeAll
    static void cameras() throws Exception {
        clip = TestMedia.clip(40, "libx264", "ts");
        byte[] video = Files.readAllBytes(clip);
        String goodAuth = "Basic " + Base64.getEncoder().encodeToString(("viewer:" + GOOD_PW).getBytes(StandardCharsets.UTF_8));
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authorizations.add(auth);
            }
            if (exchange.getRequestURI().getPath().equals("/clip.ts") && goodAuth.equals(auth)) {
                exchange.getResponseHeaders().add("Content-Type", "video/mp2t");
                exchange.sendResponseHeaders(200, video.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(video);
                } catch (IOException e) {
                    // the camera hung up
                }
            } else {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"camera\"");
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
            }
        });
        http.start();
        rtsp = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(CredentialLeakIT::serveRtsp, "it-fake-rtsp");
        t.setDaemon(true);
        t.start();
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
    }

    /** Answers every RTSP request with 401 and a Basic challenge (the client then retries with its credentials). */
    private static void serveRtsp() {
        while (!rtsp.isClosed()) {
            try (Socket s = rtsp.accept()) {
                s.setSoTimeout(5000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                String cseq = "1";
                for (String line; (line = in.readLine()) != null;) {
                    if (line.regionMatches(true, 0, "CSeq:", 0, 5)) {
                        cseq = line.substring(5).trim();
                    } else if (line.regionMatches(true, 0, "Authorization:", 0, 14)) {
                        authorizations.add(line.substring(14).trim());
                    } else if (line.isEmpty()) {
                        out.write(("RTSP/1.0 401 Unauthorized\r\nCSeq: " + cseq
                                + "\r\nWWW-Authenticate: Basic realm=\"camera\"\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // next connection
            }
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (http != null) {
            http.stop(0);
        }
        if (rtsp != null) {
            rtsp.close();
        }
    }

    /** Every secret in every form a leak could take. */
    private static Map<String, String> forms() {
        Map<String, String> secrets = new LinkedHashMap<>();
        Map<String, String> raw = new LinkedHashMap<>();
        raw.put("good password", GOOD_PW);
        raw.put("good query token", GOOD_TOKEN);
        raw.put("password with @ : %", AT_COLON_PERCENT_PW);
        raw.put("query pwd", QUERY_PW);
        raw.put("path token", PATH_TOKEN);
        raw.put("env password with space and quote", ENV_PW);
        raw.put("token from a file", FILE_TOKEN);
        raw.put("percent-encoded password, decoded", ENCODED_PW_RAW);
        raw.put("https password", TLS_PW);
        raw.put("token as user info", USER_TOKEN);
        raw.forEach((what, s) -> {
            secrets.put(what, s);
            secrets.put(what + " (percent-encoded)", URLEncoder.encode(s, StandardCharsets.UTF_8));
        });
        for (String[] basic : new String[][] {{"viewer", GOOD_PW}, {"admin", AT_COLON_PERCENT_PW}, {"admin", ENV_PW},
            {"user", ENCODED_PW_RAW}, {"op", TLS_PW}}) {
            secrets.put("Basic " + basic[0], Base64.getEncoder().encodeToString((basic[0] + ":" + basic[1])
                    .getBytes(StandardCharsets.UTF_8)));
        }
        secrets.put("Basic token-only user", Base64.getEncoder().encodeToString((USER_TOKEN + ":")
                .getBytes(StandardCharsets.UTF_8)));
        // the tail of the @:% password alone, as a regex redaction would leave it
        secrets.put("tail of the @ password", AT_COLON_PERCENT_PW.substring(AT_COLON_PERCENT_PW.indexOf('@')));
        return secrets;
    }

    @Test
    void shouldShowNoCredentialOfAHostileCameraUrlInLogsMetricsTopicsOrTheLivePage() throws Exception {
        String cameras = String.join("\n",
                "good   \"http://viewer:" + GOOD_PW + "@127.0.0.1:" + http.getAddress().getPort() + "/clip.ts?token=" + GOOD_TOKEN
                        + "\" loop",
                "at     \"rtsp://admin:" + AT_COLON_PERCENT_PW + "@127.0.0.1:" + rtsp.getLocalPort() + "/stream1\"",
                "query  \"http://127.0.0.1:" + http.getAddress().getPort() + "/video.cgi?user=admin&pwd=" + QUERY_PW
                        + "&channel=1\"",
                "token  http://127.0.0.1:" + http.getAddress().getPort() + "/live/" + PATH_TOKEN + "/stream.mjpg",
                "env    \"rtsp://${CAM_USER}:${CAM_PW}@127.0.0.1:" + rtsp.getLocalPort() + "/s2\"",
                "file   \"http://127.0.0.1:" + http.getAddress().getPort() + "/snap?access_token=${TOKEN}\"",
                "enc    \"http://user:" + URLEncoder.encode(ENCODED_PW_RAW, StandardCharsets.UTF_8) + "@127.0.0.1:"
                        + http.getAddress().getPort() + "/x\"",
                "tls    \"https://op:" + TLS_PW + "@127.0.0.1:" + closedPort + "/mjpg\"",
                "user   \"rtsp://" + USER_TOKEN + "@127.0.0.1:" + rtsp.getLocalPort() + "/s3\"") + "\n";
        Path conf = Files.writeString(tmp.resolve("hostile.conf"), cameras);
        Path tokenFile = Files.writeString(tmp.resolve("token"), FILE_TOKEN + "\n");
        int metricsPort = freePort();
        Path users = new TestUsers().add(VIEWER, Role.VIEWER, VIEWER_PW).add(SCRAPER, Role.METRICS, SCRAPER_PW)
                .write(tmp.resolve("users"));
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "CAM_USER", "admin", "CAM_PW", ENV_PW, "TOKEN_FILE", tokenFile.toString(),
                "LOOKOUT_CAMERA_FFMPEG_LOG_LEVEL", "debug",
                "LOOKOUT_CAMERA_READ_TIMEOUT", "2s",
                "LOOKOUT_CAMERA_RECONNECT_INITIAL_DELAY", "200ms",
                "LOOKOUT_CAMERA_RECONNECT_MAX_DELAY", "1s",
                "QUARKUS_MANAGEMENT_PORT", String.valueOf(metricsPort),
                "LOOKOUT_AUTH_USERS_FILE", users.toString()));
        List<String> captured = new ArrayList<>();

        // A: a group of hostile cameras and one good one, for long enough to reconnect each several times
        try (LookoutProcess group = LookoutProcess.start("leak-camera-group", Map.of("quarkus.http.host-enabled", "true"),
                env, "camera", "--config", conf.toString(), "--status-interval", "1")) {
            group.awaitOutput("camera good: streaming from", Duration.ofSeconds(90));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (count(group.output(), "reconnect attempt") < 20 && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            String metrics = get("http://127.0.0.1:" + metricsPort + "/q/metrics", SCRAPER, SCRAPER_PW);
            assertThat(metrics).as("the camera group's metrics were read").contains("lookout_camera_");
            captured.add(metrics);
            group.stop();
            captured.add(group.output());
            // the user name too once it is known as a secret (the env camera's ${CAM_USER} is "admin")
            assertThat(group.output()).as("redacted forms are logged")
                    .containsPattern("rtsp://(admin|\\*\\*\\*):\\*\\*\\*@127\\.0\\.0\\.1")
                    .contains("pwd=***").contains("/live/***/stream.mjpg");
            assertThat(group.output()).as("FFmpeg's own debug lines were captured").contains("lookout.ffmpeg");
        }

        // B: one hostile camera alone fails fast with a one-line error; C: an unresolved reference is a usage error
        try (LookoutProcess alone = LookoutProcess.start("leak-camera-alone", Map.of(), env, "camera", "--camera-id",
                "door", "--source", "rtsp://admin:" + AT_COLON_PERCENT_PW + "@127.0.0.1:" + closedPort + "/stream1")) {
            awaitExit(alone);
            captured.add(alone.output());
            assertThat(alone.output()).contains("cannot open rtsp://admin:***@127.0.0.1");
        }
        try (LookoutProcess unresolved = LookoutProcess.start("leak-camera-unresolved", Map.of(), env, "camera",
                "--camera-id", "door", "--source", "rtsp://admin:${NOT_SET_PW}@127.0.0.1/x")) {
            awaitExit(unresolved);
            captured.add(unresolved.output());
            assertThat(unresolved.output()).contains("${NOT_SET_PW} is not set");
        }

        // D: the demo (broker, detector, live page) with the good camera's URL as its video
        int demoPort = freePort();
        int demoManagement = freePort();
        Map<String, String> demoEnv = new HashMap<>(env);
        demoEnv.put("QUARKUS_HTTP_PORT", String.valueOf(demoPort));
        demoEnv.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(demoManagement));
        demoEnv.put("LOOKOUT_MODEL_DIR", Path.of("build/models/tiny").toAbsolutePath().toString());
        demoEnv.remove("KAFKA_BOOTSTRAP_SERVERS");
        try (LookoutProcess demo = LookoutProcess.start("leak-demo", "2g", Map.of("quarkus.http.host-enabled", "true"),
                demoEnv, "demo", "--fps", "5", "--video", "http://viewer:" + GOOD_PW + "@127.0.0.1:"
                        + http.getAddress().getPort() + "/clip.ts?token=" + GOOD_TOKEN)) {
            demo.awaitOutput("live page on", Duration.ofSeconds(120));
            String state = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!state.contains("\"picture\":{") && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                state = get("http://127.0.0.1:" + demoPort + "/live/state", VIEWER, VIEWER_PW);
            }
            assertThat(state).as("the live page shows the camera's pictures").contains("demo-cam").contains("\"picture\":{");
            captured.add(state);
            captured.add(events("http://127.0.0.1:" + demoPort + "/live/events", Duration.ofSeconds(4)));
            captured.add(get("http://127.0.0.1:" + demoManagement + "/q/metrics", SCRAPER, SCRAPER_PW));
            captured.add(get("http://127.0.0.1:" + demoManagement + "/q/health", SCRAPER, SCRAPER_PW));
            demo.stop();
            captured.add(demo.output());
        }

        // every record of every topic of the group's broker
        String topics = allRecords(broker.clients());
        assertThat(topics).as("the good camera's frames reached Kafka").contains("good");
        captured.add(topics);

        assertThat(authorizations).as("the cameras were sent the credentials (so there was something to leak)")
                .anyMatch(a -> a.contains(Base64.getEncoder().encodeToString(("viewer:" + GOOD_PW)
                        .getBytes(StandardCharsets.UTF_8))))
                .anyMatch(a -> a.contains(Base64.getEncoder().encodeToString(("admin:" + AT_COLON_PERCENT_PW)
                        .getBytes(StandardCharsets.UTF_8))));
        List<String> leaks = new ArrayList<>();
        String all = String.join("\n", captured);
        forms().forEach((what, secret) -> {
            int at = all.indexOf(secret);
            if (at >= 0) {
                leaks.add(what + ": ..." + all.substring(Math.max(0, at - 120), Math.min(all.length(), at + 40)) + "...");
            }
        });
        System.out.printf("credential leak scan: %d secret forms over %d characters of output, %d leak(s)%n",
                forms().size(), all.length(), leaks.size());
        assertThat(leaks).as("credentials in the captured output").isEmpty();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static void awaitExit(LookoutProcess p) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (p.alive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(p.alive()).as("exited").isFalse();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** GET with basic credentials (every page and metric needs a login). */
    private static String get(String url, String user, String password) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", AppProcess.basic(user, password))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** What the live page's server-sent events carry for a while. */
    private static String events(String url, Duration howLong) throws Exception {
        StringBuilder out = new StringBuilder();
        HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", AppProcess.basic(VIEWER, VIEWER_PW)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> {
            try (java.io.InputStream in = r.body()) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0;) {
                    synchronized (out) {
                        out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // closed
            }
        });
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(howLong.toMillis());
        r.body().close();
        synchronized (out) {
            return out.toString();
        }
    }

    /** Keys, values and headers of every record of every topic, as text. */
    private static String allRecords(KafkaClients clients) throws Exception {
        StringBuilder out = new StringBuilder();
        Set<String> names;
        try (Admin admin = clients.admin(Duration.ofSeconds(30))) {
            names = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(false)).names()
                    .get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, byte[]> c = clients.consumer(null, "it-leak-scan")) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : names) {
                c.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.append(r.topic()).append(' ').append(r.key()).append(' ');
                    if (r.value() != null) {
                        out.append(new String(r.value(), StandardCharsets.ISO_8859_1));
                    }
                    for (Header h : r.headers()) {
                        out.append(' ').append(h.key()).append('=')
                                .append(h.value() == null ? "" : new String(h.value(), StandardCharsets.ISO_8859_1));
                    }
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }
}
