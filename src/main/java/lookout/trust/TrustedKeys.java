package lookout.trust;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

/**
 * The public keys a reader of {@code lookout.models} trusts (pinned in its configuration:
 * {@code lookout.models.trusted-keys}). Key files are read again at every verification, so a key
 * added or removed (rotation, revocation) counts from the next model a replica checks, without a
 * restart; a key that cannot be read is skipped with a warning.
 */
public final class TrustedKeys {
    private static final Logger LOG = Logger.getLogger(TrustedKeys.class);

    private final List<String> specs;
    private final List<PublicKey> fixed;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private TrustedKeys(List<String> specs, List<PublicKey> fixed) {
        this.specs = List.copyOf(specs);
        this.fixed = List.copyOf(fixed);
    }

    /** Keys from files or {@code base64:} values (blank entries ignored). */
    public static TrustedKeys of(List<String> specs) {
        return new TrustedKeys(specs.stream().map(String::trim).filter(s -> !s.isEmpty()).toList(), List.of());
    }

    /** Exactly these keys. */
    public static TrustedKeys of(PublicKey... keys) {
        return new TrustedKeys(List.of(), List.of(keys));
    }

    /** These keys and one more (a trainer trusts what it signs itself). */
    public TrustedKeys and(PublicKey key) {
        List<PublicKey> more = new ArrayList<>(fixed);
        more.add(key);
        return new TrustedKeys(specs, more);
    }

    /** The keys as they read now, by key id. */
    public Map<String, PublicKey> keys() {
        Map<String, PublicKey> out = new LinkedHashMap<>();
        for (String spec : specs) {
            try {
                PublicKey k = ModelKeys.readPublic(spec);
                out.put(ModelKeys.keyId(k), k);
                warned.remove(spec);
            } catch (IOException e) {
                if (warned.add(spec)) {
                    LOG.warnf("trusted model key skipped: %s", e.getMessage());
                }
            }
        }
        fixed.forEach(k -> out.put(ModelKeys.keyId(k), k));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Checks that the signature is an Ed25519 signature over exactly this statement by one of the
     * trusted keys.
     *
     * @throws UntrustedModelException with reason unsigned, unknown-key or bad-signature
     */
    public String verify(ModelStatement statement, ModelSignature signature) throws UntrustedModelException {
        if (signature == null || signature.value() == null || signature.value().isBlank()) {
            throw new UntrustedModelException(UntrustedModelException.UNSIGNED,
                    "version " + statement.version() + " carries no signature");
        }
        if (!ModelKeys.ALGORITHM.equals(signature.alg())) {
            throw new UntrustedModelException(UntrustedModelException.BAD_SIGNATURE,
                    "version " + statement.version() + " is signed with " + clip(signature.alg()) + ", not Ed25519");
        }
        Map<String, PublicKey> keys = keys();
        PublicKey key = keys.get(signature.keyId());
        if (key == null) {
            throw new UntrustedModelException(UntrustedModelException.UNKNOWN_KEY, "version " + statement.version()
                    + " is signed by key " + clip(signature.keyId()) + ", not by a trusted one " + keys.keySet());
        }
        boolean ok;
        try {
            Signature s = Signature.getInstance(ModelKeys.ALGORITHM);
            s.initVerify(key);
            s.update(statement.bytes());
            ok = s.verify(Base64.getDecoder().decode(signature.value()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            ok = false;
        }
        if (!ok) {
            throw new UntrustedModelException(UntrustedModelException.BAD_SIGNATURE, "the signature of version "
                    + statement.version() + " (key " + signature.keyId() + ") does not match its model and model.json");
        }
        return signature.keyId();
    }

    /** For logs: the key ids trusted now. */
    public String describe() {
        Map<String, PublicKey> keys = keys();
        return keys.isEmpty() ? "no trusted model keys" : "trusted model keys " + keys.keySet();
    }

    private static String clip(String s) {
        return s == null ? "null" : "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
}
