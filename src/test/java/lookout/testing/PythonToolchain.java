package lookout.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;

/**
 * The Python toolchain (model/lookout_model) run by the parity tests: {@code lookout.python} (env
 * LOOKOUT_PYTHON) with {@code PYTHONPATH=model}, from the repository root, as {@code scripts/py} runs it.
 */
public final class PythonToolchain {
    private static final long TIMEOUT_S = 300;

    private PythonToolchain() {
    }

    /**
     * Runs {@code python -m lookout_model.MODULE ARGS} and returns the JSON value on its last line; skips the
     * test when the interpreter is not there, fails it with Python's output when Python fails.
     */
    public static JsonNode run(String module, String... args) throws IOException, InterruptedException {
        String python = TestSettings.config().python();
        assumeTrue(!python.contains("/") || Files.isExecutable(Path.of(python)),
                "SKIPPED: no Python interpreter at " + python + " (lookout.python, env LOOKOUT_PYTHON)");
        List<String> cmd = new ArrayList<>(List.of(python, "-m", "lookout_model." + module));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", Path.of("model").toAbsolutePath().toString());
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " ran longer than " + TIMEOUT_S + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n"
                    + text.substring(Math.max(0, text.length() - 2000)));
        }
        return Json.MAPPER.readTree(text.substring(text.lastIndexOf('\n') + 1));
    }
}
