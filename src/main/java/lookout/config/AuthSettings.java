package lookout.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Who may use the HTTP side ({@code lookout.auth.*}): the users file and how failed logins are slowed.
 *
 * @param usersFile             one user a line: {@code name:role:bcrypt-hash} (mode 600; read again when it changes)
 * @param maxFailuresPerUser    failed logins of one user name within {@code window} before that name is refused
 * @param maxFailuresPerAddress failed logins from one client address within {@code window} before it is refused
 * @param window                how long a failed login counts; a refused client may try again when its
 *                              oldest counted failure is this old
 * @param credentialCache       a basic-auth password that matched is not bcrypt-checked again for this long
 *                              (Prometheus and scripts send it with every request; 0 = always check)
 */
public record AuthSettings(Path usersFile, int maxFailuresPerUser, int maxFailuresPerAddress, Duration window,
        Duration credentialCache) {
    public AuthSettings {
        if (maxFailuresPerUser < 1 || maxFailuresPerAddress < 1) {
            throw new IllegalArgumentException("lookout.auth.login.max-failures-per-user and -per-address must be >= 1");
        }
        if (window.isZero() || window.isNegative() || credentialCache.isNegative()) {
            throw new IllegalArgumentException("lookout.auth.login.window must be positive, lookout.auth.credential-cache >= 0");
        }
    }
}
