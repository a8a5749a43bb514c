package lookout.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import lookout.config.AuthSettings;
import lookout.config.LookoutConfig;

/**
 * The users of this process's HTTP side: the users file, read again whenever it changes (so
 * {@code lookout users add|passwd|remove} takes effect without a restart, also for sessions already
 * open), checked against passwords through the {@link LoginThrottle}. Log lines name the user only
 * when the name is a known user's (a password typed into the name field never reaches a log).
 */
@ApplicationScoped
public class UserStore {
    private static final Logger LOG = Logger.getLogger(UserStore.class);

    /** What a login attempt came to. */
    public sealed interface Outcome {
    }

    public record Accepted(UsersFile.User user) implements Outcome {
    }

    public record Refused() implements Outcome {
    }

    /** Too many failures for this name or from this address: try again in {@code waitMs}. */
    public record Throttled(long waitMs) implements Outcome {
    }

    private final AuthSettings settings;
    private final LoginThrottle throttle;
    private final byte[] cacheKey = new byte[32];
    /** user -> HMAC of a password that matched, and until when that saves the bcrypt check. */
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private volatile Map<String, UsersFile.User> users = Map.of();
    private volatile FileTime readTime;
    private volatile long readSize = -1;
    private volatile boolean missingReported;

    private record Verified(byte[] mac, String hash, long until) {
    }

    public UserStore() {
        this(LookoutConfig.current().auth());
    }

    UserStore(AuthSettings settings) {
        this.settings = settings;
        this.throttle = new LoginThrottle(settings.maxFailuresPerUser(), settings.maxFailuresPerAddress(),
                settings.window(), System::currentTimeMillis);
        new SecureRandom().nextBytes(cacheKey);
    }

    /** One line for a serving process's start: whom it can let in (never a password). */
    public String announce() {
        Map<String, UsersFile.User> now = current();
        if (now.isEmpty()) {
            return "HTTP login: no users in " + settings.usersFile() + ": nobody can log in; add one with"
                    + " `./lookout users add NAME --role viewer|operator|admin`";
        }
        return "HTTP login: " + now.size() + " user(s) in " + settings.usersFile();
    }

    public LoginThrottle throttle() {
        return throttle;
    }

    public Path file() {
        return settings.usersFile();
    }

    /** The users as the file holds them now (read again if it changed since the last look). */
    public Map<String, UsersFile.User> current() {
        Path file = settings.usersFile();
        try {
            if (!Files.exists(file)) {
                if (!missingReported) {
                    missingReported = true;
                    users = Map.of();
                }
                readTime = null;
                return users = Map.of();
            }
            FileTime t = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (!t.equals(readTime) || size != readSize) {
                synchronized (this) {
                    UsersFile.Contents c = UsersFile.read(file);
                    c.problems().forEach(p -> LOG.errorf("users file: %s (line ignored)", p));
                    users = c.users();
                    readTime = t;
                    readSize = size;
                    verified.clear();
                    missingReported = false;
                }
            }
        } catch (IOException e) {
            LOG.errorf("cannot read the users file %s: %s; nobody can log in until it is readable", file, e.getMessage());
            users = Map.of();
        }
        return users;
    }

    /** The user a session cookie names, if the file still has it (removed users lose their sessions). */
    public UsersFile.User user(String name) {
        return name == null ? null : current().get(name);
    }

    /**
     * Milliseconds this attempt would have to wait (0 = it will be checked): what {@link #login} would
     * decide before checking the password, without checking it (cheap: no bcrypt).
     */
    public long wait(String name, String password, String address) {
        UsersFile.User user = user(name);
        Verified v = user == null ? null : verified.get(user.name());
        if (v != null && v.until() > System.currentTimeMillis() && v.hash().equals(user.hash())
                && MessageDigest.isEqual(v.mac(), mac(password))) {
            return 0;
        }
        return throttle.check(name, address);
    }

    /**
     * Checks a password (blocking: bcrypt). {@code address} is the client's, or null when unknown. A
     * password that matched within {@code lookout.auth.credential-cache} is accepted without bcrypt and
     * without the throttle (it is no guess: a client that knows the password is not locked out by
     * someone else's failures); anything else is throttled first.
     */
    public Outcome login(String name, String password, String address) {
        UsersFile.User user = user(name);
        byte[] mac = mac(password);
        Verified v = user == null ? null : verified.get(user.name());
        long now = System.currentTimeMillis();
        if (v != null && v.until() > now && v.hash().equals(user.hash()) && MessageDigest.isEqual(v.mac(), mac)) {
            return new Accepted(user);
        }
        long wait = throttle.check(name, address);
        if (wait > 0) {
            LOG.warnf("login refused without checking: too many failed logins (%s from %s); %d s to wait",
                    user != null ? "user " + user.name() : "an unknown user name", address, (wait + 999) / 1000);
            return new Throttled(wait);
        }
        if (!Passwords.matches(password, user == null ? null : user.hash())) {
            throttle.failed(name, address);
            LOG.infof("login failed: %s from %s", user != null ? "wrong password for user " + user.name() : "unknown user name",
                    address);
            return new Refused();
        }
        if (!settings.credentialCache().isZero()) {
            verified.put(user.name(), new Verified(mac, user.hash(), now + settings.credentialCache().toMillis()));
        }
        throttle.succeeded(name, address);
        return new Accepted(user);
    }

    private byte[] mac(String password) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
            return m.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
