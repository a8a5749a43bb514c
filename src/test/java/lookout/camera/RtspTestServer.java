package lookout.camera;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import lookout.testing.TestSettings;

/** GStreamer's gst-rtsp-server (src/test/resources/camera/rtsp_server.py) as a child process. */
final class RtspTestServer implements AutoCloseable {
    /** lookout.python (env LOOKOUT_PYTHON): an interpreter with Debian's python3-gi. */
    static final Path PYTHON = Path.of(TestSettings.config().python());
    static final Path SCRIPT = Path.of("src/test/resources/camera/rtsp_server.py");

    private final int port;
    private Process process;

    RtspTestServer(int port) {
        this.port = port;
    }

    static void assumeAvailable() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON + " (lookout.python, with Debian's python3-gi)");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c",
                "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer, Gst; "
                        + "Gst.init(None); assert Gst.ElementFactory.find('x264enc')")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
                "needs GStreamer's RTSP server and x264enc (Debian: python3-gi gir1.2-gst-rtsp-server-1.0 "
                        + "gstreamer1.0-plugins-ugly); see scripts/setup.sh");
    }

    String url() {
        return "rtsp://127.0.0.1:" + port + "/cam";
    }

    /** Starts the server and waits until it listens. */
    RtspTestServer start() throws Exception {
        process = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), Integer.toString(port), "--fps", "15")
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        if (line == null || !line.startsWith("READY")) {
            process.destroyForcibly();
            throw new IllegalStateException("RTSP server did not start: " + line);
        }
        // keep draining its output so it never blocks on a full pipe
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // process gone
            }
        });
        drain.setDaemon(true);
        drain.start();
        return this;
    }

    /** SIGKILL: the connection drops without a TEARDOWN, like a camera losing power. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP / SIGCONT: the server stays connected but sends nothing, like a hung camera. */
    void freeze() throws Exception {
        signal("-STOP");
    }

    void thaw() throws Exception {
        signal("-CONT");
    }

    private void signal(String signal) throws Exception {
        Process k = new ProcessBuilder(List.of("kill", signal, Long.toString(process.pid()))).inheritIO().start();
        if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " failed");
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            thaw();
            kill();
        }
    }
}
