package lookout.trust;

import java.io.IOException;
import java.nio.file.Path;

import org.jboss.logging.Logger;

import lookout.config.ModelsSettings;

/** The configured signing key and trusted keys ({@code lookout.models.signing-key}, {@code .trusted-keys}). */
public final class SigningKeys {
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);

    private SigningKeys() {
    }

    /**
     * The signer of {@code lookout.models.signing-key}. When that file does not exist and
     * {@code lookout.models.generate-keys} is on, the pair is created first (the private key
     * owner-only, its {@code .pub} beside it), like a generated admin password at first start.
     *
     * @throws IllegalStateException with one line saying what to do, when there is no usable key
     */
    public static ModelSigner signer(ModelsSettings settings) {
        String spec = settings.signingKey();
        if (spec.isEmpty()) {
            throw new IllegalStateException("no model signing key configured (lookout.models.signing-key, env "
                    + "LOOKOUT_MODELS_SIGNING_KEY): create one with `lookout keys generate --out DIR` (docs/model-trust.md)");
        }
        try {
            if (!spec.startsWith(ModelKeys.INLINE)) {
                Path file = Path.of(spec);
                if (settings.generateKeys()) {
                    String id = ModelKeys.ensurePair(file, ModelKeys.publicFileFor(file));
                    if (id != null) {
                        LOG.infof("generated the model signing key %s in %s (public key %s: detectors must trust it, "
                                + "lookout.models.trusted-keys)", id, file, ModelKeys.publicFileFor(file));
                    }
                } else if (!file.toFile().exists()) {
                    throw new IllegalStateException("model signing key " + file.toAbsolutePath() + " not found "
                            + "(lookout.models.signing-key; lookout.models.generate-keys is off): create a pair with "
                            + "`lookout keys generate --out DIR` or mount it (docs/model-trust.md)");
                }
                if (ModelKeys.readableByOthers(file)) {
                    LOG.warnf("the model signing key %s is readable by others than its owner: chmod 600 it", file);
                }
            }
            return new ModelSigner(ModelKeys.readPrivate(spec));
        } catch (IOException e) {
            throw new IllegalStateException("cannot use the model signing key: " + e.getMessage(), e);
        }
    }

    /** The public keys a reader trusts, as configured. */
    public static TrustedKeys trusted(ModelsSettings settings) {
        return TrustedKeys.of(settings.trustedKeys());
    }
}
