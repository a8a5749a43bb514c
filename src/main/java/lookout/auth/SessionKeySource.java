package lookout.auth;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * A random session-cookie key for a process that was given none, below every configured source
 * (application.properties, env, -D override it). Quarkus would make one too, but logs it at WARN:
 * a credential in a log line. One key per process: sessions end at a restart and do not carry
 * between replicas unless {@code quarkus.http.auth.session.encryption-key} is set (docs/security.md).
 */
public final class SessionKeySource implements ConfigSource {
    static final String KEY = "quarkus.http.auth.session.encryption-key";
    private static final String VALUE = generate();

    private static String generate() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(KEY, VALUE);
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(KEY);
    }

    @Override
    public String getValue(String propertyName) {
        return KEY.equals(propertyName) ? VALUE : null;
    }

    @Override
    public String getName() {
        return "lookout-session-key";
    }

    @Override
    public int getOrdinal() {
        return 50; // below application.properties (250), env (300) and system properties (400)
    }
}
