package lookout.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `lookout keys generate --out DIR` and `lookout keys id FILE`. */
class KeysCommandTest {
    @TempDir
    Path tmp;

    private static String run(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.out;
        System.setOut(new java.io.PrintStream(out, true));
        StringWriter err = new StringWriter();
        try {
            int rc = new CommandLine(new KeysCommand()).setErr(new PrintWriter(err)).execute(args);
            return rc + " " + out + err;
        } finally {
            System.setOut(before);
        }
    }

    @Test
    void shouldGenerateAPairWhoseIdBothFilesTellAndRefuseToOverwriteIt() throws Exception {
        String generated = run("generate", "--out", tmp.toString());
        assertThat(generated).startsWith("0 key ").contains("lookout-models.key").contains("LOOKOUT_MODELS_TRUSTED_KEYS=");
        String id = generated.substring("0 key ".length(), "0 key ".length() + 16);
        assertThat(run("id", tmp.resolve("lookout-models.pub").toString()).trim()).isEqualTo("0 " + id);
        assertThat(run("id", tmp.resolve("lookout-models.key").toString()).trim()).isEqualTo("0 " + id);
        assertThat(generated).doesNotContain(java.nio.file.Files.readString(tmp.resolve("lookout-models.key"))
                .lines().skip(1).findFirst().orElseThrow());
        assertThat(run("generate", "--out", tmp.toString())).doesNotStartWith("0 ");
    }
}
