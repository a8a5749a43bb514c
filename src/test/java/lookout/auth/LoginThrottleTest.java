package lookout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LoginThrottle throttle = new LoginThrottle(3, 5, Duration.ofMinutes(5), now::get);

    @Test
    void shouldRefuseAUserNameAfterItsLimitUntilTheOldestFailureLeavesTheWindow() {
        // Given three failures of olga a minute apart, from three addresses
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.check("olga", "10.0.0." + i)).isZero();
            throttle.failed("olga", "10.0.0." + i);
            now.addAndGet(60_000);
        }
        // Then olga waits until the first failure is five minutes old, from any address; others do not
        assertThat(throttle.check("olga", "10.0.0.9")).isEqualTo(Duration.ofMinutes(2).toMillis());
        assertThat(throttle.check("piet", "10.0.0.9")).isZero();
        now.addAndGet(Duration.ofMinutes(2).toMillis());
        assertThat(throttle.check("olga", "10.0.0.9")).isZero();
    }

    @Test
    void shouldRefuseAnAddressThatTriesManyNames() {
        // Given five failures from one address, each with another user name
        for (int i = 0; i < 5; i++) {
            throttle.failed("user" + i, "10.0.0.1");
        }
        // Then that address is refused whatever the name, and remembered for the login page; another address is not
        assertThat(throttle.check("fresh", "10.0.0.1")).isPositive();
        assertThat(throttle.lastRefusal("10.0.0.1")).isPositive();
        assertThat(throttle.check("fresh", "10.0.0.2")).isZero();
        assertThat(throttle.lastRefusal("10.0.0.2")).isZero();
    }

    @Test
    void shouldClearAUsersFailuresButNotTheAddressesOnSuccess() {
        throttle.failed("olga", "10.0.0.1");
        throttle.failed("olga", "10.0.0.1");
        throttle.succeeded("olga", "10.0.0.1");
        throttle.failed("olga", "10.0.0.1");
        throttle.failed("olga", "10.0.0.1");
        // two failures since the success: still under the user's limit of 3
        assertThat(throttle.userWait("olga")).isZero();
        throttle.failed("piet", "10.0.0.1");
        // but the address counted all five
        assertThat(throttle.addressWait("10.0.0.1")).isPositive();
    }

    @Test
    void shouldForgetTheLeastRecentlySeenNamesBeyondItsBound() {
        for (int i = 0; i < LoginThrottle.MAX_KEYS + 10; i++) {
            throttle.failed("spray" + i, null);
        }
        throttle.failed("olga", null);
        throttle.failed("olga", null);
        throttle.failed("olga", null);
        assertThat(throttle.userWait("olga")).isPositive();
        assertThat(throttle.userWait("spray0")).isZero(); // forgotten: memory stays bounded
    }
}
