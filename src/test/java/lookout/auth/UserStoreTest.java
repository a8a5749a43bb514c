package lookout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.config.AuthSettings;

class UserStoreTest {
    @TempDir
    Path tmp;

    private UserStore store(Path file) {
        return new UserStore(new AuthSettings(file, 3, 10, Duration.ofMinutes(5), Duration.ofSeconds(60)));
    }

    @Test
    void shouldAcceptTheRightPasswordRefuseAWrongOneAndThrottleAGuesser() throws Exception {
        Path file = tmp.resolve("users");
        UsersFile.write(file, List.of(new UsersFile.User("olga", Role.OPERATOR, Passwords.hash("olga's long password"))));
        UserStore users = store(file);
        // Given three wrong passwords for olga from three addresses (and an unknown name)
        assertThat(users.login("olga", "wrong", "10.0.0.1")).isInstanceOf(UserStore.Refused.class);
        assertThat(users.login("nobody", "wrong", "10.0.0.1")).isInstanceOf(UserStore.Refused.class);
        users.login("olga", "wrong2", "10.0.0.2");
        users.login("olga", "wrong3", "10.0.0.3");
        // Then olga is refused without checking, even with the right password, from any address
        UserStore.Outcome locked = users.login("olga", "olga's long password", "10.0.0.4");
        assertThat(locked).isInstanceOf(UserStore.Throttled.class);
        assertThat(((UserStore.Throttled) locked).waitMs()).isPositive();
        assertThat(users.wait("olga", "olga's long password", "10.0.0.4")).isPositive();
    }

    @Test
    void shouldLetAClientWhosePasswordJustMatchedInWhileOthersGuess() throws Exception {
        Path file = tmp.resolve("users");
        UsersFile.write(file, List.of(new UsersFile.User("prometheus", Role.METRICS, Passwords.hash("scraper's long password"))));
        UserStore users = store(file);
        // Given a scraper whose password matched
        assertThat(users.login("prometheus", "scraper's long password", "10.0.0.1")).isInstanceOf(UserStore.Accepted.class);
        // When someone else guesses its password three times
        for (int i = 0; i < 3; i++) {
            users.login("prometheus", "guess" + i, "10.0.0.66");
        }
        // Then the guesser is refused, the scraper (same password, within the credential cache) is not locked out
        assertThat(users.login("prometheus", "guess9", "10.0.0.66")).isInstanceOf(UserStore.Throttled.class);
        assertThat(users.wait("prometheus", "scraper's long password", "10.0.0.1")).isZero();
        assertThat(users.login("prometheus", "scraper's long password", "10.0.0.1")).isInstanceOf(UserStore.Accepted.class);
    }

    @Test
    void shouldSeeUsersAddedAndRemovedWhileRunning() throws Exception {
        Path file = tmp.resolve("users");
        UserStore users = store(file);
        assertThat(users.current()).isEmpty();
        assertThat(users.announce()).contains("nobody can log in");
        UsersFile.write(file, List.of(new UsersFile.User("olga", Role.VIEWER, Passwords.hash("olga's long password"))));
        assertThat(users.user("olga")).isNotNull();
        assertThat(users.login("olga", "olga's long password", null)).isInstanceOf(UserStore.Accepted.class);
        UsersFile.write(file, List.of());
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        // a removed user's session (cookie) and cached password no longer let them in
        assertThat(users.user("olga")).isNull();
        assertThat(users.login("olga", "olga's long password", null)).isInstanceOf(UserStore.Refused.class);
    }
}
