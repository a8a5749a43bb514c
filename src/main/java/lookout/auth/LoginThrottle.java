package lookout.auth;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows password guessing: a user name with {@code perUser} failed logins within the window, or a
 * client address with {@code perAddress}, is refused without its password being checked until its
 * oldest counted failure leaves the window. A success clears the user name's failures, not the
 * address's (an attacker holding one account cannot launder guesses at others through it). Memory
 * is bounded: at most {@link #MAX_KEYS} names and as many addresses are remembered, least recently
 * seen forgotten first.
 */
public final class LoginThrottle {
    static final int MAX_KEYS = 10_000;

    private final int perUser;
    private final int perAddress;
    private final long windowMs;
    private final LongSupplier clock;
    private final Map<String, Deque<Long>> users = lru();
    private final Map<String, Deque<Long>> addresses = lru();
    /** Addresses whose last attempt was refused for being throttled, until when: the login page says so (429). */
    private final Map<String, Long> refused = lru();

    public LoginThrottle(int perUser, int perAddress, Duration window, LongSupplier clock) {
        this.perUser = perUser;
        this.perAddress = perAddress;
        this.windowMs = window.toMillis();
        this.clock = clock;
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_KEYS;
            }
        };
    }

    /** Milliseconds until this user name may try again (0 = now). */
    public synchronized long userWait(String user) {
        return wait(users, user, perUser);
    }

    /** Milliseconds until this client address may try again (0 = now). */
    public synchronized long addressWait(String address) {
        return wait(addresses, address, perAddress);
    }

    /** Milliseconds until a login with this name from this address may be checked (0 = now); a refusal is remembered for the login page. */
    public synchronized long check(String user, String address) {
        long wait = Math.max(user == null ? 0 : userWait(user), address == null ? 0 : addressWait(address));
        if (wait > 0 && address != null) {
            refused.put(address, clock.getAsLong() + wait);
        }
        return wait;
    }

    /** Milliseconds this address's last refused attempt must still wait, 0 when its last attempt was not throttled. */
    public synchronized long lastRefusal(String address) {
        Long until = address == null ? null : refused.get(address);
        return until == null ? 0 : Math.max(0, until - clock.getAsLong());
    }

    public synchronized void failed(String user, String address) {
        long now = clock.getAsLong();
        if (user != null) {
            add(users, user, now, perUser);
        }
        if (address != null) {
            add(addresses, address, now, perAddress);
        }
    }

    public synchronized void succeeded(String user, String address) {
        users.remove(user);
        if (address != null) {
            refused.remove(address);
        }
    }

    private long wait(Map<String, Deque<Long>> map, String key, int limit) {
        Deque<Long> times = map.get(key);
        if (times == null) {
            return 0;
        }
        long now = clock.getAsLong();
        while (!times.isEmpty() && times.peekFirst() <= now - windowMs) {
            times.removeFirst();
        }
        if (times.isEmpty()) {
            map.remove(key);
            return 0;
        }
        return times.size() < limit ? 0 : times.peekFirst() + windowMs - now;
    }

    private void add(Map<String, Deque<Long>> map, String key, long now, int limit) {
        Deque<Long> times = map.computeIfAbsent(key, k -> new ArrayDeque<>());
        times.addLast(now);
        while (times.size() > limit) {
            times.removeFirst();
        }
    }
}
