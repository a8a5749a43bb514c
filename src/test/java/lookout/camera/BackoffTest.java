package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private static List<Long> schedule(Backoff backoff, int n) {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            delays.add(backoff.next().toMillis());
        }
        return delays;
    }

    @Test
    void shouldDoubleFromTheInitialDelayUpToTheCapWithoutJitter() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 2.0, 0.0, () -> 0.5);
        assertThat(schedule(backoff, 10))
                .containsExactly(500L, 1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L, 30000L);
    }

    @Test
    void shouldShortenEachDelayByAtMostTheJitterFraction() {
        Random random = new Random(42);
        Backoff backoff = new Backoff(Duration.ofMillis(1000), Duration.ofSeconds(8), 2.0, 0.2, random::nextDouble);
        List<Long> delays = schedule(backoff, 200);
        long[] bases = {1000, 2000, 4000, 8000};
        for (int i = 0; i < delays.size(); i++) {
            long base = bases[Math.min(i, 3)];
            assertThat(delays.get(i)).as("attempt %d", i + 1).isBetween(Math.round(base * 0.8), base);
        }
        assertThat(delays.subList(3, 200).stream().distinct().count())
                .as("jitter spreads cameras that failed together").isGreaterThan(50);
    }

    @Test
    void shouldStartOverAfterReset() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2.0, 0.0, () -> 0);
        schedule(backoff, 5);
        assertThat(backoff.attempts()).isEqualTo(5);
        backoff.reset();
        assertThat(backoff.attempts()).isZero();
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void shouldNotOverflowAfterManyAttempts() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 2.0, 0.0, () -> 0);
        schedule(backoff, 10_000);
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldRefuseNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
