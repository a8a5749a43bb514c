package lookout.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Lookout role as a real child process of the packaged app ({@code target/quarkus-app/quarkus-run.jar},
 * built by {@code mvn package} before the integration tests run), so a test can SIGKILL it
 * ({@link #kill()}: {@code Process.destroyForcibly()}) and start it again. Its output goes to
 * {@code target/it-logs/<name>-<n>.log}.
 */
public final class LookoutProcess implements AutoCloseable {
    public static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final String name;
    private final Process process;
    private final Path log;

    private LookoutProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Skips the test when the app is not packaged (a `mvn test` run, or an IDE). */
    public static void assumePackaged() {
        assumeTrue(Files.isRegularFile(JAR), "SKIPPED: " + JAR + " not built (run `mvn package` or `mvn verify`)");
    }

    /**
     * Starts {@code java -jar quarkus-run.jar <args>} with the given config as system properties and
     * extra environment variables.
     *
     * @param config {@code key -> value}, passed as {@code -Dkey=value}
     */
    public static LookoutProcess start(String name, Map<String, String> config, Map<String, String> env,
            String... args) {
        return start(name, "1g", config, env, args);
    }

    /** The same with a heap of {@code heap} ({@code -Xmx}). */
    public static LookoutProcess start(String name, String heap, Map<String, String> config, Map<String, String> env,
            String... args) {
        assumePackaged();
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx" + heap);
        cmd.add("-Dai.djl.offline=true");
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        if (!config.containsKey("quarkus.management.port") && !env.containsKey("QUARKUS_MANAGEMENT_PORT")) {
            // health and metrics have a port of their own (9000 by default): a free one, tests run side by side
            cmd.add("-Dquarkus.management.port=0");
        }
        cmd.add("-jar");
        cmd.add(JAR.toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        try {
            Path dir = Files.createDirectories(Path.of("target/it-logs"));
            Path log = dir.resolve(name + "-" + RUNS.incrementAndGet() + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("LOOKOUT_HOME", Path.of("").toAbsolutePath().toString());
            pb.environment().put("OPT_OUT_TRACKING", "true");
            pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
            pb.environment().putAll(env);
            return new LookoutProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Runs a command to completion and returns its exit status (output in its log). */
    public static int run(String name, Map<String, String> config, Map<String, String> env, Duration timeout,
            String... args) throws InterruptedException {
        try (LookoutProcess p = start(name, config, env, args)) {
            if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " did not finish within " + timeout + "; log:\n" + p.output());
            }
            return p.process.exitValue();
        }
    }

    /** SIGKILL (on Linux): no shutdown hook runs, open transactions stay open, nothing is flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for an orderly exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits until the output contains the text. */
    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited (" + process.exitValue() + ") before printing \"" + text
                        + "\"; log:\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not print \"" + text + "\" within " + timeout + "; log:\n" + tail());
            }
            Thread.sleep(100);
        }
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last lines of the output, for failure messages. */
    public String tail() {
        String out = output();
        return out.length() > 4000 ? out.substring(out.length() - 4000) : out;
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
