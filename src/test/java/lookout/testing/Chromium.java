package lookout.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Json;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven through its DevTools protocol over a
 * WebSocket (the JDK's own client): navigate, evaluate JavaScript, take screenshots. Skips the
 * test when the browser is not installed ({@code scripts/setup.sh} installs it).
 */
public final class Chromium implements AutoCloseable {
    private static final String BINARY = "/usr/bin/chromium";

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();

    private Chromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** Starts a headless browser with a fresh profile and a window of the given size, on about:blank. */
    public static Chromium launch(int width, int height) throws Exception {
        assumeTrue(new File(BINARY).canExecute(), "SKIPPED: " + BINARY + " not installed (scripts/setup.sh installs chromium)");
        Path profile = Files.createTempDirectory("lookout-chromium");
        Process p = new ProcessBuilder(BINARY, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                // a hidden page would have its animation frames throttled: headless tests measure the real thing
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=" + width + "," + height,
                "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).size() < 2) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                p.destroyForcibly();
                throw new IllegalStateException("chromium did not open its DevTools port: "
                        + Files.readString(profile.resolve("chromium.log")));
            }
            Thread.sleep(100);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        String url = null;
        for (JsonNode t : targets) {
            if ("page".equals(t.path("type").asText())) {
                url = t.get("webSocketDebuggerUrl").asText();
                break;
            }
        }
        if (url == null) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium has no page target: " + targets);
        }
        Chromium[] self = new Chromium[1];
        Listener listener = new Listener(self);
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(url), listener).get(30, TimeUnit.SECONDS);
        self[0] = new Chromium(p, profile, ws);
        return self[0];
    }

    /** Sends one DevTools command and waits for its result. */
    public JsonNode call(String method, Map<String, Object> params, Duration timeout) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = Json.MAPPER.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", Json.MAPPER.valueToTree(params));
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        socket.sendText(Json.MAPPER.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.path("result");
    }

    public void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url), Duration.ofSeconds(30));
    }

    /** The value of a JavaScript expression, as JSON (the expression should produce JSON-able data). */
    public JsonNode evaluate(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", "JSON.stringify(" + expression + ")",
                "returnByValue", true), Duration.ofSeconds(30));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page error: " + r.get("exceptionDetails"));
        }
        JsonNode v = r.path("result").path("value");
        return v.isMissingNode() || v.isNull() ? null : Json.MAPPER.readTree(v.asText());
    }

    /** A left click at page coordinates (CSS pixels of the viewport). */
    public void click(double x, double y) throws Exception {
        mouse("mousePressed", x, y, 1);
        mouse("mouseReleased", x, y, 0);
    }

    /** A left-button drag from one point to another, in steps, as a hand would. */
    public void drag(double x1, double y1, double x2, double y2) throws Exception {
        mouse("mousePressed", x1, y1, 1);
        int steps = 8;
        for (int i = 1; i <= steps; i++) {
            mouse("mouseMoved", x1 + (x2 - x1) * i / steps, y1 + (y2 - y1) * i / steps, 1);
        }
        mouse("mouseReleased", x2, y2, 0);
    }

    private void mouse(String type, double x, double y, int buttons) throws Exception {
        call("Input.dispatchMouseEvent", Map.of("type", type, "x", x, "y", y, "button", "left", "buttons", buttons,
                "clickCount", type.equals("mouseMoved") ? 0 : 1), Duration.ofSeconds(10));
    }

    /**
     * One key press (down and up): {@code key} as the DOM names it ("Enter", "Delete", "n"), with its
     * Windows virtual key code (13, 46, 78...).
     */
    public void key(String key, String code, int keyCode) throws Exception {
        Map<String, Object> down = new java.util.HashMap<>(Map.of("type", "keyDown", "key", key, "code", code,
                "windowsVirtualKeyCode", keyCode));
        if (key.length() == 1) {
            down.put("text", key);
        }
        call("Input.dispatchKeyEvent", down, Duration.ofSeconds(10));
        call("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", key, "code", code, "windowsVirtualKeyCode", keyCode),
                Duration.ofSeconds(10));
    }

    public void screenshot(Path png) throws Exception {
        JsonNode r = call("Page.captureScreenshot", Map.of("format", "png"), Duration.ofSeconds(60));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** Collects (possibly fragmented) messages and completes the waiting calls; events are ignored. */
    private static final class Listener implements WebSocket.Listener {
        private final Chromium[] self;
        private final StringBuilder partial = new StringBuilder();

        Listener(Chromium[] self) {
            this.self = self;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode msg = Json.MAPPER.readTree(text);
                    if (msg.has("id") && self[0] != null) {
                        CompletableFuture<JsonNode> f = self[0].waiting.remove(msg.get("id").asInt());
                        if (f != null) {
                            f.complete(msg);
                        }
                    }
                } catch (IOException e) {
                    // not JSON: nothing waits for it
                }
            }
            ws.request(1);
            return null;
        }
    }
}
