package lookout.trust;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/** Signs model statements with one private key (the trainer's, or an operator's for `models publish`). */
public final class ModelSigner {
    private final PrivateKey key;
    private final PublicKey publicKey;
    private final String keyId;

    public ModelSigner(PrivateKey key) {
        this.key = key;
        this.publicKey = ModelKeys.publicOf(key);
        this.keyId = ModelKeys.keyId(publicKey);
    }

    public ModelSignature sign(ModelStatement statement) {
        try {
            Signature s = Signature.getInstance(ModelKeys.ALGORITHM);
            s.initSign(key);
            s.update(statement.bytes());
            return new ModelSignature(ModelKeys.ALGORITHM, keyId, Base64.getEncoder().encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + keyId + ": " + e.getMessage(), e);
        }
    }

    public String keyId() {
        return keyId;
    }

    /** The public half: what detectors must trust for this signer's models to load. */
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public String toString() {
        return "model signer " + keyId; // never the key itself
    }
}
