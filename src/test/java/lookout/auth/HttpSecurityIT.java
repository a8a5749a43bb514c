package lookout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;
import lookout.control.ControlParser;
import lookout.kafka.Topics;
import lookout.testing.AppProcess;
import lookout.testing.LookoutProcess;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;
import lookout.testing.TestTls;
import lookout.testing.TestUsers;

/**
 * The HTTP side tried as someone on the same network would, against the packaged app serving a
 * camera (the tiny model, a real broker, a trainer acting on commands): with no credentials, or a
 * viewer's, or a scraper's, nothing beyond their role is served (no picture, stream, state, command or
 * metric); the management port serves health and (to the scraper) metrics and nothing else; the
 * page comes over TLS with a generated certificate; connections, event streams and failed logins are
 * capped (closed, 503, 429); every response carries the security headers. Prints what it measured.
 */
@Timeout(600)
class HttpSecurityIT {
    static final String VIEWER = "vera";
    static final String OPERATOR = "olga";
    static final String SCRAPER = "prom";
    static final String PASSWORD = "a long enough password";
    static final int MAX_CONNECTIONS = 8;
    static final int MAX_PAGES = 2;
    static final int PER_USER = 5;
    static final int PER_ADDRESS = 20;
    static final Duration WINDOW = Duration.ofSeconds(60);

    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();

    @TempDir
    Path tmp;

    private final List<String> findings = new ArrayList<>();
    private final ScheduledExecutorService frames = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong seq = new AtomicLong();
    private final byte[] jpeg = TestFrames.jpeg(320, 240);
    private HttpClient http;

    @Test
    void shouldServeNothingBeyondEachCallersRoleAndCapWhatACallerCanHold() throws Exception {
        Path tiny = TestModels.tinyModelDir();
        LookoutProcess.assumePackaged();
        Path users = new TestUsers().add(VIEWER, Role.VIEWER, PASSWORD).add(OPERATOR, Role.OPERATOR, PASSWORD)
                .add(SCRAPER, Role.METRICS, PASSWORD).add("piet", Role.VIEWER, PASSWORD).add("anna", Role.VIEWER, PASSWORD)
                .write(tmp.resolve("users"));
        TestTls tls = TestTls.generate(Files.createDirectories(tmp.resolve("tls")));
        int httpsPort = AppProcess.freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("LOOKOUT_MODEL_DIR", tiny.toAbsolutePath().toString());
        env.put("LOOKOUT_MODELS_WATCH", "false");
        env.put("LOOKOUT_APPLICATION_ID", "http-security-it");
        env.put("LOOKOUT_AUTH_USERS_FILE", users.toString());
        env.put("LOOKOUT_AUTH_LOGIN_WINDOW", WINDOW.toSeconds() + "s");
        env.put("LOOKOUT_REST_ENABLED", "true");
        env.put("LOOKOUT_LIVE_MAX_PAGES", String.valueOf(MAX_PAGES));
        env.put("QUARKUS_HTTP_LIMITS_MAX_CONNECTIONS", String.valueOf(MAX_CONNECTIONS));
        env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(httpsPort));
        env.put("QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_FILE", tls.keystore().toString());
        env.put("QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_PASSWORD", tls.password());
        Map<String, String> trainerConfig = Map.of("lookout.model.dir", tiny.toAbsolutePath().toString(),
                "lookout.trainer.work-dir", tmp.resolve("trainer").toString(), "lookout.instance-id", "http-it-trainer",
                "quarkus.http.host-enabled", "false", "quarkus.management.host-enabled", "false");
        try (AppProcess app = AppProcess.start("http-security-it", "serve", env).awaitReady(Duration.ofMinutes(4));
                LookoutProcess trainer = LookoutProcess.start("http-it-trainer", trainerConfig, Map.of(), "trainer",
                        "--bootstrap-servers", broker.bootstrapServers());
                KafkaProducer<String, byte[]> camera = broker.clients().producer("http-it-camera")) {
            // connections first, while nothing else holds one (HTTP clients keep theirs open afterwards)
            connectionsBeyondTheCapAreClosed(app);
            // Given a camera whose frames the page shows (so there are pictures to withhold), sending all along
            frames.scheduleAtFixedRate(() -> sendFrame(camera), 0, 500, TimeUnit.MILLISECONDS);
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            awaitPicture(app);
            nothingIsServedWithoutCredentials(app);
            eachRoleGetsItsOwnAndNoMore(app, camera);
            theManagementPortServesHealthOpenlyAndMetricsToTheScraperOnly(app);
            everyResponseCarriesTheSecurityHeaders(app);
            thePageComesOverTlsWithASecureSessionCookie(httpsPort, tls);
            eventStreamsBeyondTheCapAre503(app);
            failedLoginsAreRateLimited(app);
            assertThat(app.output()).as("no password in the app's output").doesNotContain(PASSWORD);
            assertThat(trainer.output()).doesNotContain(PASSWORD);
        } finally {
            frames.shutdownNow();
        }
    }

    /** What was measured, printed at once (a later failure does not hide it). */
    private void found(String finding) {
        findings.add(finding);
        System.out.println("http security: " + finding);
    }

    private void sendFrame(KafkaProducer<String, byte[]> producer) {
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.HEADER_SEQ, Long.toString(seq.incrementAndGet()).getBytes(StandardCharsets.US_ASCII));
        h.add(Topics.HEADER_TS, Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.US_ASCII));
        producer.send(new ProducerRecord<>(Topics.FRAMES, null, "door", jpeg, h));
    }

    private void awaitPicture(AppProcess app) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (get(app.url("/live/state"), VIEWER).body().contains("data:image/jpeg")) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("the live state never held a picture:\n" + app.tail());
    }

    /** One HTTP/1.1 request on a socket that stays open; returns the status line, or null when the server closed it. */
    private static String request(Socket s, String path) {
        StringBuilder head = new StringBuilder();
        int c;
        InputStream in;
        try {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in = s.getInputStream();
            while ((c = in.read()) != -1) {
                head.append((char) c);
                if (head.toString().endsWith("\r\n\r\n")) {
                    break;
                }
            }
        } catch (IOException e) {
            return null; // reset: closed
        }
        if (c == -1) {
            return null;
        }
        // skip the body (Content-Length) so the next request on this socket starts clean
        try {
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    in.readNBytes(Integer.parseInt(line.substring(15).trim()));
                }
            }
        } catch (IOException e) {
            return null;
        }
        return head.toString().split("\r\n")[0];
    }

    private void connectionsBeyondTheCapAreClosed(AppProcess app) throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            // Given as many connections as the cap allows, each answered
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                Socket s = new Socket("127.0.0.1", app.httpPort());
                s.setSoTimeout(10_000);
                open.add(s);
                assertThat(request(s, "/login")).as("connection %d of %d", i + 1, MAX_CONNECTIONS).contains(" 200 ");
            }
            // When one more connects, Then it is closed without an answer
            try (Socket extra = new Socket("127.0.0.1", app.httpPort())) {
                extra.setSoTimeout(10_000);
                assertThat(request(extra, "/login")).as("connection %d, beyond the cap", MAX_CONNECTIONS + 1).isNull();
            }
            // And once one is closed, a new one is answered again
            open.remove(0).close();
            Thread.sleep(500);
            try (Socket again = new Socket("127.0.0.1", app.httpPort())) {
                again.setSoTimeout(10_000);
                assertThat(request(again, "/login")).as("a connection after one closed").contains(" 200 ");
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        Thread.sleep(500);
        found("connections: " + MAX_CONNECTIONS + " answered, the " + (MAX_CONNECTIONS + 1)
                + "th closed unanswered, answered again after one closed");
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (user != null) {
            b.header("Authorization", AppProcess.basic(user, PASSWORD));
        }
        return send(b);
    }

    private HttpResponse<String> postControl(AppProcess app, String user, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.url("/api/control")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (user != null) {
            b.header("Authorization", AppProcess.basic(user, PASSWORD));
        }
        return send(b);
    }

    private void nothingIsServedWithoutCredentials(AppProcess app) throws Exception {
        // every path a page, a picture, a stream, a state, a command or a metric could come from
        List<String> paths = List.of("/", "/index.html", "/live.js", "/live.css", "/live/state", "/live/events",
                "/api/models", "/api/control", "/q/metrics", "/q/health", "/q/health/ready", "/no-such-page",
                "/live/state/../state", "/%6Cive/state", "//live/state");
        List<String> seen = new ArrayList<>();
        for (String p : paths) {
            HttpResponse<String> r = get(app.url(p), null);
            seen.add(p + " " + r.statusCode());
            assertThat(r.statusCode()).as("GET %s without credentials", p).isIn(302, 401, 404);
            assertThat(r.body()).as("GET %s without credentials", p).doesNotContain("data:image").doesNotContain("\"cameras\"")
                    .doesNotContain("lookout_");
            if (r.statusCode() == 302) {
                assertThat(r.headers().firstValue("Location").orElse("")).as("GET %s", p).endsWith("/login");
            }
        }
        // nor does the old bearer-token header (a wrong password: below, where failures are counted)
        HttpResponse<String> bearer = send(HttpRequest.newBuilder(URI.create(app.url("/live/state")))
                .header("Authorization", "Bearer anything"));
        assertThat(bearer.statusCode()).isIn(302, 401);
        assertThat(bearer.body()).doesNotContain("data:image");
        HttpResponse<String> command = postControl(app, null, "{\"command\":\"reload\"}");
        assertThat(command.statusCode()).as("POST /api/control without credentials").isIn(302, 401);
        found("without credentials: " + String.join(", ", seen) + "; POST /api/control " + command.statusCode());
    }

    private void eachRoleGetsItsOwnAndNoMore(AppProcess app, KafkaProducer<String, byte[]> camera) throws Exception {
        // a viewer sees pictures but sends no command
        HttpResponse<String> state = get(app.url("/live/state"), VIEWER);
        assertThat(state.statusCode()).isEqualTo(200);
        assertThat(state.body()).contains("data:image/jpeg");
        assertThat(postControl(app, VIEWER, "{\"command\":\"prune\"}").statusCode()).as("a viewer's command").isEqualTo(403);
        assertThat(get(app.url("/api/models"), VIEWER).statusCode()).isEqualTo(403);
        // a scraper sees no picture
        assertThat(get(app.url("/live/state"), SCRAPER).statusCode()).as("the scraper on the live state").isEqualTo(403);
        // an operator's command goes to lookout.control with the operator's name, whatever the body claims,
        // and the trainer's event for it names the operator too
        try (KafkaConsumer<String, byte[]> control = broker.consumer(Topics.CONTROL, Topics.EVENTS)) {
            HttpResponse<String> ok = postControl(app, OPERATOR, "{\"command\":\"prune\",\"keep\":3,\"id\":\"it-by\",\"by\":\"admin\"}");
            assertThat(ok.statusCode()).as("an operator's command: %s", ok.body()).isEqualTo(202);
            List<ConsumerRecord<String, byte[]>> seen = TestBroker.readUntil(control, rs -> rs.stream()
                    .anyMatch(r -> r.topic().equals(Topics.EVENTS) && new String(r.value(), StandardCharsets.UTF_8).contains("\"it-by\"")),
                    Duration.ofMinutes(3));
            ConsumerRecord<String, byte[]> cmd = seen.stream().filter(r -> r.topic().equals(Topics.CONTROL)).findFirst().orElseThrow();
            assertThat(ControlParser.by(cmd.value())).isEqualTo(OPERATOR);
            JsonNode event = seen.stream().filter(r -> r.topic().equals(Topics.EVENTS))
                    .map(r -> readJson(r.value())).filter(e -> "it-by".equals(e.path("id").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no event for command it-by"));
            assertThat(event.path("by").asText()).as("the event of the operator's command: %s", event).isEqualTo(OPERATOR);
            found("roles: viewer 200 on /live/state, 403 on POST /api/control; scraper 403 on /live/state; operator 202,"
                    + " lookout.control got by=" + ControlParser.by(cmd.value()) + ", lookout.events: " + event);
        }
        HttpResponse<String> models = get(app.url("/api/models"), OPERATOR);
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body()).as("the registry as an operator sees it: versions, serving, cameras' own")
                .contains("\"versions\"").contains("\"cameraServing\"");
    }

    private static JsonNode readJson(byte[] value) {
        try {
            return Json.MAPPER.readTree(value);
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    private void theManagementPortServesHealthOpenlyAndMetricsToTheScraperOnly(AppProcess app) throws Exception {
        assertThat(get(app.managementUrl("/q/health/ready"), null).statusCode()).isEqualTo(200);
        assertThat(get(app.managementUrl("/q/health/live"), null).statusCode()).isEqualTo(200);
        HttpResponse<String> anonymous = get(app.managementUrl("/q/metrics"), null);
        assertThat(anonymous.statusCode()).as("metrics without credentials").isEqualTo(401);
        assertThat(anonymous.body()).doesNotContain("lookout_");
        assertThat(get(app.managementUrl("/q/metrics"), VIEWER).statusCode()).as("metrics for a viewer").isEqualTo(403);
        HttpResponse<String> scraped = get(app.managementUrl("/q/metrics"), SCRAPER);
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.body()).contains("lookout_frames_in_total");
        List<String> elsewhere = new ArrayList<>();
        for (String p : List.of("/", "/live/state", "/live/events", "/api/models", "/login", "/q/dev", "/q/info")) {
            for (String user : new String[] {null, VIEWER, SCRAPER}) {
                HttpResponse<String> r = get(app.managementUrl(p), user);
                assertThat(r.statusCode()).as("management port %s as %s", p, user).isIn(401, 403, 404);
                assertThat(r.body()).doesNotContain("data:image");
            }
            elsewhere.add(p + " " + get(app.managementUrl(p), SCRAPER).statusCode());
        }
        found("management port: health 200 open; metrics 401 anonymous, 403 viewer, 200 scraper; elsewhere "
                + String.join(", ", elsewhere));
    }

    private void everyResponseCarriesTheSecurityHeaders(AppProcess app) throws Exception {
        for (HttpResponse<String> r : List.of(get(app.url("/login"), null), get(app.url("/"), null),
                get(app.url("/"), VIEWER), get(app.url("/live/state"), VIEWER), get(app.url("/live.js"), VIEWER))) {
            String where = r.request().uri().getPath() + " " + r.statusCode();
            assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).as(where)
                    .contains("frame-ancestors 'none'").contains("script-src 'self'").contains("default-src 'self'");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(where).hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(where).hasValue("no-referrer");
            assertThat(r.headers().allValues("Cache-Control")).as(where).contains("no-store");
        }
        found("headers on /login, /, /live/state, /live.js: " + get(app.url("/live/state"), VIEWER).headers().map()
                .entrySet().stream().filter(e -> List.of("content-security-policy", "x-content-type-options",
                        "referrer-policy", "cache-control", "x-frame-options").contains(e.getKey().toLowerCase()))
                .map(e -> e.getKey() + ": " + String.join(",", e.getValue())).toList());
    }

    private void thePageComesOverTlsWithASecureSessionCookie(int httpsPort, TestTls tls) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.truststore())) {
            trust.load(in, tls.password().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        String base = "https://localhost:" + httpsPort;
        HttpResponse<String> anonymous = https.send(HttpRequest.newBuilder(URI.create(base + "/live/state")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isIn(302, 401);
        HttpResponse<String> login = https.send(HttpRequest.newBuilder(URI.create(base + "/j_security_check"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("j_username=" + VIEWER + "&j_password=" + PASSWORD.replace(" ", "+")))
                .build(), HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("lookout-session="))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie: " + login.headers().map()));
        assertThat(cookie).as("the session cookie over TLS").contains("Secure").containsIgnoringCase("HttpOnly")
                .containsIgnoringCase("SameSite=Strict");
        String session = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> page = https.send(HttpRequest.newBuilder(URI.create(base + "/")).header("Cookie", session).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Lookout").contains("live.js");
        HttpResponse<String> state = https.send(HttpRequest.newBuilder(URI.create(base + "/live/state")).header("Cookie", session)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(state.body()).contains("data:image/jpeg");
        found("TLS: " + page.sslSession().map(s -> s.getProtocol() + " " + s.getCipherSuite()).orElse("?")
                + ", page and state over https after a form login; cookie " + cookie.replaceAll("=[^;]*;", "=...;"));
    }

    private void eventStreamsBeyondTheCapAre503(AppProcess app) throws Exception {
        List<HttpResponse<InputStream>> streams = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_PAGES; i++) {
                HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(app.url("/live/events")))
                        .header("Authorization", AppProcess.basic(VIEWER, PASSWORD)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                streams.add(r);
                assertThat(r.statusCode()).as("event stream %d of %d", i + 1, MAX_PAGES).isEqualTo(200);
            }
            HttpResponse<String> extra = get(app.url("/live/events"), VIEWER);
            assertThat(extra.statusCode()).as("event stream beyond the cap").isEqualTo(503);
            assertThat(extra.headers().firstValue("Retry-After")).isPresent();
            // a page that closes frees its place (noticed when the server next writes to it)
            streams.remove(0).body().close();
            int status = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (status != 200 && System.nanoTime() < deadline) {
                HttpResponse<InputStream> again = http.send(HttpRequest.newBuilder(URI.create(app.url("/live/events")))
                        .header("Authorization", AppProcess.basic(VIEWER, PASSWORD)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                status = again.statusCode();
                if (status == 200) {
                    streams.add(again);
                } else {
                    again.body().close();
                    Thread.sleep(1000);
                }
            }
            assertThat(status).as("an event stream after one closed").isEqualTo(200);
            found("event streams: " + MAX_PAGES + " open, the next 503 (Retry-After "
                    + extra.headers().firstValue("Retry-After").orElse("") + "), 200 again after one closed");
        } finally {
            for (HttpResponse<InputStream> r : streams) {
                r.body().close();
            }
        }
    }

    private HttpResponse<String> formLogin(AppProcess app, String user, String password) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(app.url("/j_security_check")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("j_username=" + user + "&j_password=" + password.replace(" ", "+"))));
    }

    private void failedLoginsAreRateLimited(AppProcess app) throws Exception {
        // per user, basic credentials: PER_USER wrong passwords are checked (401), then even the right one gets 429
        List<Integer> piet = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < PER_USER; i++) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(app.url("/live/state")))
                    .header("Authorization", AppProcess.basic("piet", "guess " + i)));
            piet.add(r.statusCode());
        }
        double perGuessMs = (System.nanoTime() - t0) / 1e6 / PER_USER;
        HttpResponse<String> locked = get(app.url("/live/state"), "piet");
        assertThat(piet).as("wrong passwords before the limit").containsOnly(401);
        assertThat(locked.statusCode()).as("the right password after %d wrong ones", PER_USER).isEqualTo(429);
        long retryAfter = Long.parseLong(locked.headers().firstValue("Retry-After").orElse("0"));
        assertThat(retryAfter).isBetween(1L, WINDOW.toSeconds());
        assertThat(locked.body()).doesNotContain("data:image");
        // per user, the login form: wrong passwords go back to the form; once locked, the form says 429
        List<String> anna = new ArrayList<>();
        for (int i = 0; i < PER_USER; i++) {
            HttpResponse<String> r = formLogin(app, "anna", "guess " + i);
            anna.add(r.statusCode() + " " + r.headers().firstValue("Location").orElse(""));
            assertThat(r.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("lookout-session=") && !c.startsWith("lookout-session=;"));
        }
        HttpResponse<String> annaRight = formLogin(app, "anna", PASSWORD);
        assertThat(annaRight.headers().firstValue("Location").orElse("")).as("anna's right password once locked").contains("/login?error");
        HttpResponse<String> errorPage = get(app.url("/login?error"), null);
        assertThat(errorPage.statusCode()).as("the login form after a locked attempt").isEqualTo(429);
        assertThat(errorPage.body()).contains("Too many failed logins");
        // per address: any names, PER_ADDRESS failures in all, then 429 before any check, form posts included
        int before = 2 * PER_USER; // piet's and anna's
        int letThrough = 0;
        int status = 401;
        while (status != 429 && letThrough < 2 * PER_ADDRESS) {
            status = send(HttpRequest.newBuilder(URI.create(app.url("/live/state")))
                    .header("Authorization", AppProcess.basic("spray" + letThrough, "guess"))).statusCode();
            if (status != 429) {
                letThrough++;
            }
        }
        assertThat(before + letThrough).as("failed logins one address may make within the window").isEqualTo(PER_ADDRESS);
        HttpResponse<String> formLocked = formLogin(app, VIEWER, PASSWORD);
        assertThat(formLocked.statusCode()).as("a form login from a locked address").isEqualTo(429);
        // Then after the window, the address and the names may try again
        long waited = System.nanoTime();
        long deadline = waited + WINDOW.toNanos() + TimeUnit.SECONDS.toNanos(20);
        int again = 0;
        while (again != 200 && System.nanoTime() < deadline) {
            Thread.sleep(2000);
            again = get(app.url("/live/state"), "piet").statusCode();
        }
        assertThat(again).as("piet's right password after the window").isEqualTo(200);
        found(String.format("failed logins: %d wrong passwords for one user checked (%.0f ms each: bcrypt), then"
                + " 429 (Retry-After %d s) even for the right one; the form: %s, then the form page 429; one address:"
                + " %d failures in all, then 429 for basic and form alike; let in again %.0f s after the lock",
                PER_USER, perGuessMs, retryAfter, anna, before + letThrough, (System.nanoTime() - waited) / 1e9));
    }
}
