package lookout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

class UsersCommandTest {
    @TempDir
    Path tmp;

    /** Runs {@code lookout users ARGS} with this stdin; returns exit code and stdout. */
    private String[] run(String stdin, String... args) {
        PrintStream out = System.out;
        InputStream in = System.in;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int code = new CommandLine(new UsersCommand()).execute(args);
            return new String[] {String.valueOf(code), buffer.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setIn(in);
        }
    }

    @Test
    void shouldAddListChangeAndRemoveUsersKeepingOnlyHashes() throws Exception {
        String file = tmp.resolve("users").toString();
        // When a user is added without a password of their own, one is generated and shown once
        String[] added = run("", "add", "olga", "--role", "operator", "--file", file);
        assertThat(added[0]).isEqualTo("0");
        String generated = added[1].lines().filter(l -> l.startsWith("password for olga")).findFirst().orElseThrow()
                .replaceAll(".*: ", "");
        assertThat(Passwords.matches(generated, UsersFile.read(Path.of(file)).users().get("olga").hash())).isTrue();
        assertThat(Files.readString(Path.of(file))).doesNotContain(generated);
        // and one read from stdin is kept as a hash; a short one is refused
        assertThat(run("vera's own passphrase\n", "add", "vera", "--role", "viewer", "--password-stdin", "--file", file)[0])
                .isEqualTo("0");
        assertThat(run("short\n", "add", "anna", "--role", "viewer", "--password-stdin", "--file", file)[0]).isNotEqualTo("0");
        assertThat(run("", "add", "olga", "--role", "viewer", "--file", file)[0]).as("olga twice").isNotEqualTo("0");
        assertThat(run("", "add", "root", "--role", "god", "--file", file)[0]).as("an unknown role").isNotEqualTo("0");
        // Then list shows names and roles, never hashes
        String[] list = run("", "list", "--file", file);
        assertThat(list[1]).contains("olga\toperator", "vera\tviewer").doesNotContain("$2");
        // passwd replaces the hash; remove drops the user
        assertThat(run("olga's new passphrase\n", "passwd", "olga", "--password-stdin", "--file", file)[0]).isEqualTo("0");
        UsersFile.User olga = UsersFile.read(Path.of(file)).users().get("olga");
        assertThat(Passwords.matches("olga's new passphrase", olga.hash())).isTrue();
        assertThat(Passwords.matches(generated, olga.hash())).isFalse();
        assertThat(run("", "remove", "vera", "--file", file)[0]).isEqualTo("0");
        assertThat(UsersFile.read(Path.of(file)).users()).containsOnlyKeys("olga");
    }
}
