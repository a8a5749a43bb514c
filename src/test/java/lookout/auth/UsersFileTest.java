package lookout.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersFileTest {
    @TempDir
    Path tmp;

    @Test
    void shouldCreateTheFirstAdminOnceWithOnlyAHashReadableByItsOwner() throws Exception {
        Path file = tmp.resolve("state/users");
        // When the demo starts for the first time
        String password = UsersFile.createWithAdmin(file, "admin");
        // Then a generated password is returned once, and the file keeps only its bcrypt hash, mode 600
        assertThat(password).hasSizeGreaterThanOrEqualTo(Passwords.MIN_LENGTH);
        String text = Files.readString(file);
        assertThat(text).doesNotContain(password).contains("admin:admin:$2a$");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        UsersFile.User admin = UsersFile.read(file).users().get("admin");
        assertThat(admin.role()).isEqualTo(Role.ADMIN);
        assertThat(Passwords.matches(password, admin.hash())).isTrue();
        assertThat(Passwords.matches(password + "x", admin.hash())).isFalse();
        // And a second start leaves the file alone
        assertThat(UsersFile.createWithAdmin(file, "admin")).isNull();
        assertThat(Files.readString(file)).isEqualTo(text);
    }

    @Test
    void shouldKeepGoodLinesAndNameWhatIsWrongWithBadOnesWithoutQuotingHashes() throws Exception {
        Path file = tmp.resolve("users");
        String hash = Passwords.hash("correct horse battery");
        Files.writeString(file, "# comment\n\nolga:operator:" + hash + "\nbad line\npiet:root:" + hash
                + "\nanna:viewer:plaintext-password\nolga:viewer:" + hash + "\n");
        UsersFile.Contents c = UsersFile.read(file);
        assertThat(c.users()).containsOnlyKeys("olga");
        assertThat(c.users().get("olga").role()).isEqualTo(Role.OPERATOR);
        assertThat(c.problems()).hasSize(4);
        assertThat(String.join("\n", c.problems())).contains("line 4", "unknown role \"root\"", "not a bcrypt hash",
                "appears twice").doesNotContain("plaintext-password").doesNotContain(hash);
    }

    @Test
    void shouldWriteWhatItReadsAndRefuseNamesThatAreNoNames() throws Exception {
        Path file = tmp.resolve("users");
        UsersFile.write(file, List.of(new UsersFile.User("olga", Role.VIEWER, "$2a$12$abc"),
                new UsersFile.User("prometheus", Role.METRICS, "$2a$12$def")));
        assertThat(UsersFile.read(file).users().keySet()).containsExactly("olga", "prometheus");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        for (String bad : new String[] {"", "a:b", "../x", "x".repeat(65), "a b", "-lead"}) {
            assertThatThrownBy(() -> UsersFile.requireName(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldGrantNestedRolesToPeopleAndOnlyMetricsToAScraper() {
        assertThat(Role.VIEWER.grants()).containsExactly("viewer");
        assertThat(Role.OPERATOR.grants()).containsExactlyInAnyOrder("viewer", "operator");
        assertThat(Role.ADMIN.grants()).containsExactlyInAnyOrder("viewer", "operator", "admin", "metrics");
        assertThat(Role.METRICS.grants()).containsExactly("metrics");
        assertThatThrownBy(() -> Role.of("root")).hasMessageContaining("viewer, operator, admin, metrics");
    }
}
