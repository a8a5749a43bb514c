package lookout.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;

/** What a signature vouches for, and which keys a reader accepts. */
class TrustedKeysTest {
    @TempDir
    Path tmp;

    private static ObjectNode meta() throws Exception {
        return (ObjectNode) Json.MAPPER.readTree("{\"name\":\"m\",\"version\":\"2\",\"parent\":\"1\",\"classes\":[\"__background__\","
                + "\"person\"],\"scoreThresh\":0.3,\"metrics\":{\"ap50\":0.0128,\"holdout\":18},\"dataFingerprint\":\"ab\"}");
    }

    private static ModelStatement statement(String version, ObjectNode meta) {
        return ModelStatement.of(version, "AA".repeat(32), 1234, meta);
    }

    private static String reason(TrustedKeys trust, ModelStatement st, ModelSignature sig) {
        try {
            trust.verify(st, sig);
            return "trusted";
        } catch (UntrustedModelException e) {
            return e.reason();
        }
    }

    @Test
    void shouldTrustOnlyASignatureOverExactlyThisVersionByAPinnedKey() throws Exception {
        KeyPair pair = ModelKeys.generate();
        ModelSigner signer = new ModelSigner(pair.getPrivate());
        TrustedKeys trust = TrustedKeys.of(pair.getPublic());
        ModelStatement st = statement("2", meta());
        ModelSignature sig = signer.sign(st);
        assertThat(trust.verify(st, sig)).isEqualTo(signer.keyId());
        // key order and whitespace in model.json do not matter; its content does
        ObjectNode reordered = (ObjectNode) Json.MAPPER.readTree(Json.pretty().writeValueAsString(meta()));
        assertThat(reason(trust, statement("2", reordered), sig)).isEqualTo("trusted");
        ObjectNode lowered = meta().put("scoreThresh", 0.01);
        assertThat(reason(trust, statement("2", lowered), sig)).isEqualTo("bad-signature");
        assertThat(reason(trust, statement("3", meta()), sig)).as("the same signature on another version").isEqualTo("bad-signature");
        assertThat(reason(trust, ModelStatement.of("2", "BB".repeat(32), 1234, meta()), sig)).as("other bytes")
                .isEqualTo("bad-signature");
        assertThat(reason(trust, st, null)).isEqualTo("unsigned");
        assertThat(reason(trust, st, new ModelSignature("Ed25519", signer.keyId(), ""))).isEqualTo("unsigned");
        assertThat(reason(trust, st, new ModelSigner(ModelKeys.generate().getPrivate()).sign(st))).isEqualTo("unknown-key");
        // a stranger's signature relabelled with the trusted key's id
        ModelSignature forged = new ModelSigner(ModelKeys.generate().getPrivate()).sign(st);
        assertThat(reason(trust, st, new ModelSignature("Ed25519", signer.keyId(), forged.value()))).isEqualTo("bad-signature");
        assertThat(reason(trust, st, new ModelSignature("RSA", signer.keyId(), sig.value()))).isEqualTo("bad-signature");
        assertThat(reason(trust, st, new ModelSignature("Ed25519", signer.keyId(), "%%%"))).isEqualTo("bad-signature");
    }

    @Test
    void shouldReadKeyFilesAgainSoARotationCountsWithoutARestart() throws Exception {
        KeyPair old = ModelKeys.generate();
        KeyPair next = ModelKeys.generate();
        ModelKeys.write(old, tmp.resolve("old.key"), tmp.resolve("trusted.pub"));
        TrustedKeys trust = TrustedKeys.of(List.of(tmp.resolve("trusted.pub").toString(), tmp.resolve("missing.pub").toString()));
        ModelStatement st = statement("2", meta());
        assertThat(reason(trust, st, new ModelSigner(old.getPrivate()).sign(st))).isEqualTo("trusted");
        assertThat(reason(trust, st, new ModelSigner(next.getPrivate()).sign(st))).isEqualTo("unknown-key");
        // the operator replaces the pinned key
        Files.delete(tmp.resolve("trusted.pub"));
        ModelKeys.write(next, tmp.resolve("next.key"), tmp.resolve("trusted.pub"));
        assertThat(reason(trust, st, new ModelSigner(next.getPrivate()).sign(st))).isEqualTo("trusted");
        assertThat(reason(trust, st, new ModelSigner(old.getPrivate()).sign(st))).isEqualTo("unknown-key");
        assertThat(trust.keys()).containsOnlyKeys(ModelKeys.keyId(next.getPublic()));
    }

    @Test
    void shouldSignWhatAReaderOfTheManifestWillHold() throws Exception {
        // doubles, nested objects, nulls and unknown fields read back into the same canonical bytes
        ObjectNode meta = meta();
        meta.putObject("extra").put("z", 1.0e-7).putNull("a").put("n", Long.MAX_VALUE);
        byte[] written = Json.MAPPER.writeValueAsBytes(meta);
        assertThat(ModelStatement.canonical(Json.MAPPER.readTree(written)))
                .isEqualTo(ModelStatement.canonical(ModelStatement.roundTrip(meta)));
        assertThat(statement("2", meta).bytes()).isEqualTo(statement("2", (ObjectNode) Json.MAPPER.readTree(written)).bytes());
    }
}
