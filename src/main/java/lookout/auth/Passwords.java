package lookout.auth;

import java.security.SecureRandom;

import io.quarkus.elytron.security.common.BcryptUtil;

/**
 * Passwords as the users file keeps them: bcrypt (modular crypt {@code $2a$10$...}), never the
 * password itself. A generated password has about 119 bits of entropy.
 */
public final class Passwords {
    /** bcrypt cost: 2^10 rounds (OWASP's floor), 0.1-0.5 s of one core on the 2-core machine here. */
    static final int COST = 10;
    /** Shortest password a person may choose. */
    public static final int MIN_LENGTH = 12;
    /** No look-alike characters (0/O, 1/l/I): a generated password is read off a terminal and typed. */
    private static final char[] ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
    private static final int GENERATED_LENGTH = 21;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked when the user name is unknown, so a wrong name costs what a wrong password does (no user enumeration by timing). */
    private static final String DUMMY = BcryptUtil.bcryptHash("lookout-no-such-user-" + RANDOM.nextLong(), COST);

    private Passwords() {
    }

    public static String generate() {
        StringBuilder b = new StringBuilder(GENERATED_LENGTH);
        for (int i = 0; i < GENERATED_LENGTH; i++) {
            b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return b.toString();
    }

    public static String hash(String password) {
        return BcryptUtil.bcryptHash(password, COST);
    }

    /** Whether the password matches the hash; a null hash (unknown user) costs the same and is false. */
    public static boolean matches(String password, String hash) {
        if (hash == null) {
            BcryptUtil.matches(password, DUMMY);
            return false;
        }
        try {
            return BcryptUtil.matches(password, hash);
        } catch (RuntimeException e) {
            return false; // a damaged hash in the file matches nothing
        }
    }

    /** @throws IllegalArgumentException when a chosen password is too short */
    public static String requireStrong(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("a password needs at least " + MIN_LENGTH + " characters");
        }
        return password;
    }
}
