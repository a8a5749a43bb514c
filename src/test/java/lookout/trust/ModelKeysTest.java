package lookout.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.config.ModelsSettings;

/** Key pairs on disk: what `lookout keys generate` and the first start of a trainer or the demo write. */
class ModelKeysTest {
    @TempDir
    Path tmp;

    @Test
    void shouldWriteAPairWhosePrivateKeyOnlyItsOwnerCanReadAndReadItBack() throws Exception {
        KeyPair pair = ModelKeys.generate();
        String id = ModelKeys.write(pair, tmp.resolve("k.key"), tmp.resolve("k.pub"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("k.key")))).isEqualTo("rw-------");
        assertThat(ModelKeys.readableByOthers(tmp.resolve("k.key"))).isFalse();
        assertThat(Files.readString(tmp.resolve("k.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(ModelKeys.readPrivate(tmp.resolve("k.key").toString()).getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
        assertThat(ModelKeys.readPublic(tmp.resolve("k.pub").toString())).isEqualTo(pair.getPublic());
        assertThat(id).hasSize(16).isEqualTo(ModelKeys.keyId(pair.getPublic()));
        // a key is never replaced
        assertThatThrownBy(() -> ModelKeys.write(ModelKeys.generate(), tmp.resolve("k.key"), tmp.resolve("other.pub")))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void shouldDeriveThePublicKeyFromThePrivateKey() {
        for (int i = 0; i < 5; i++) {
            KeyPair pair = ModelKeys.generate();
            assertThat(ModelKeys.publicOf(pair.getPrivate())).isEqualTo(pair.getPublic());
        }
    }

    @Test
    void shouldReadInlineKeysAndNeverPutKeyBytesInAnError() throws Exception {
        KeyPair pair = ModelKeys.generate();
        String inline = ModelKeys.INLINE + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
        assertThat(ModelKeys.readPublic(inline)).isEqualTo(pair.getPublic());
        String secret = Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded());
        // a private key where a public one is expected: refused, and the message names no key material
        assertThatThrownBy(() -> ModelKeys.readPublic(ModelKeys.INLINE + secret)).isInstanceOf(IOException.class)
                .hasMessageContaining("inline key").hasMessageNotContaining(secret.substring(0, 20));
        assertThatThrownBy(() -> ModelKeys.readPrivate(tmp.resolve("none.key").toString()))
                .hasMessageContaining("no key file");
    }

    @Test
    void shouldGenerateThePairOnceAtFirstUseAndNotReplaceALonePublicKey() throws Exception {
        Path key = tmp.resolve("keys/lookout-models.key");
        ModelsSettings settings = new ModelsSettings(true, tmp, 1024, key.toString(), java.util.List.of(), true);
        ModelSigner first = SigningKeys.signer(settings);
        assertThat(ModelKeys.publicFileFor(key)).exists();
        assertThat(SigningKeys.signer(settings).keyId()).as("the same key at the next start").isEqualTo(first.keyId());
        assertThat(ModelKeys.keyId(ModelKeys.readPublic(ModelKeys.publicFileFor(key).toString()))).isEqualTo(first.keyId());
        // without generation a missing key is a one-line error saying what to do
        ModelsSettings provisioned = new ModelsSettings(true, tmp, 1024, tmp.resolve("absent.key").toString(),
                java.util.List.of(), false);
        assertThatThrownBy(() -> SigningKeys.signer(provisioned)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lookout keys generate");
        // a public key left without its private key is not silently replaced
        Files.delete(key);
        assertThatThrownBy(() -> SigningKeys.signer(settings)).hasMessageContaining("exists without its private key");
    }
}
