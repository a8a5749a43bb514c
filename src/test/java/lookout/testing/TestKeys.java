package lookout.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import lookout.trust.ModelKeys;
import lookout.trust.ModelSigner;
import lookout.trust.TrustedKeys;

/**
 * The model signing key of the tests: one Ed25519 pair in {@code target/test-keys}, made by the
 * production code path ({@link ModelKeys#ensurePair}) on first use and shared by every test JVM and
 * every child process ({@link LookoutProcess} points {@code LOOKOUT_MODELS_SIGNING_KEY} and
 * {@code LOOKOUT_MODELS_TRUSTED_KEYS} at it). {@link #stranger()} is a key nobody trusts.
 */
public final class TestKeys {
    public static final Path PRIVATE = Path.of("target/test-keys/lookout-models.key").toAbsolutePath();
    public static final Path PUBLIC = ModelKeys.publicFileFor(PRIVATE);
    private static ModelSigner signer;
    private static ModelSigner stranger;

    private TestKeys() {
    }

    /** The trusted test key's signer (the key pair is created if missing). */
    public static synchronized ModelSigner signer() {
        if (signer == null) {
            try {
                ModelKeys.ensurePair(PRIVATE, PUBLIC);
                signer = new ModelSigner(ModelKeys.readPrivate(PRIVATE.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the test signing key in " + PRIVATE.getParent(), e);
            }
        }
        return signer;
    }

    /** Trusts the test key, through its public key file as a detector's configuration would. */
    public static TrustedKeys trust() {
        signer();
        return TrustedKeys.of(java.util.List.of(PUBLIC.toString()));
    }

    /** A valid key that no test trusts (a wrong-key publisher). */
    public static synchronized ModelSigner stranger() {
        if (stranger == null) {
            stranger = new ModelSigner(ModelKeys.generate().getPrivate());
        }
        return stranger;
    }
}
