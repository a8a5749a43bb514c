package lookout.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Sha256;

/** A registry reader meets records nobody should have written, and carries on. */
class RegistryStateTest {
    @TempDir
    Path tmp;
    private final List<String> skipped = new ArrayList<>();
    private final RegistryState state = new RegistryState((key, reason, detail) -> skipped.add(reason + " " + key));

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String SHA = Sha256.hex(json("weights"));

    private static String manifest(String version, String sha) {
        return "{\"version\":\"" + version + "\",\"chunks\":1,\"chunkSize\":1024,\"size\":7,"
                + (sha == null ? "" : "\"sha256\":\"" + sha + "\",")
                + "\"publishedAt\":1,\"metadata\":{\"name\":\"m\",\"classes\":[\"__background__\",\"person\"]}}";
    }

    private void publishGood(String version) {
        state.apply(RegistryKeys.chunk(version, 0), json("weights"));
        state.apply(version, json(manifest(version, SHA)));
    }

    @Test
    void shouldSkipAManifestWithoutSha256AndKeepReading() {
        state.apply("2", json(manifest("2", null)));
        publishGood("3");
        assertThat(skipped).containsExactly("invalid-manifest 2");
        assertThat(state.versions()).extracting(ModelManifest::version).containsExactly("3");
    }

    @Test
    void shouldSkipAServingPointerWithANullOrPathLikeVersion() {
        publishGood("1");
        state.apply("serving", json("{\"version\":\"1\",\"reason\":\"published\",\"ts\":1}"));
        state.apply("serving", json("{\"version\":null}"));
        state.apply("serving", json("{\"version\":\"../trav\"}"));
        state.apply("serving", json("not json"));
        assertThat(skipped).containsExactly("invalid-pointer serving", "invalid-pointer serving", "invalid-pointer serving");
        assertThat(state.serving().version()).as("the last valid pointer stands").isEqualTo("1");
    }

    @Test
    void shouldKeepACamerasOwnPointerBesideTheGeneralOneUntilItsTombstone() {
        publishGood("1");
        publishGood("2");
        state.apply("serving", json("{\"version\":\"1\",\"reason\":\"published\",\"ts\":1}"));
        state.apply("serving@door", json("{\"version\":\"2\",\"reason\":\"published\",\"ts\":2}"));
        state.apply("serving@", json("{\"version\":\"2\"}"));
        state.apply("serving@hall", json("{\"version\":\"../trav\"}"));

        assertThat(skipped).containsExactly("bad-key serving@", "invalid-pointer serving@hall");
        assertThat(state.servingVersion("door")).isEqualTo("2");
        assertThat(state.servingVersion("street")).as("a camera without its own: the general").isEqualTo("1");
        assertThat(state.isServed("2")).isTrue();
        state.apply("serving@door", null);
        assertThat(state.serving("door")).isNull();
        assertThat(state.cameraServing()).isEmpty();
        assertThat(state.isServed("2")).isFalse();
    }

    @Test
    void shouldSkipRecordsWhoseKeysNameNoValidVersionOrChunk() {
        state.apply("../trav", json(manifest("../trav", SHA)));
        state.apply("../trav/chunk/00000", json("weights"));
        state.apply("4/chunk/abc", json("weights"));
        state.apply("4/chunk/99999999", json("weights"));
        state.apply(null, json("x"));
        assertThat(skipped).containsExactly("bad-key ../trav", "bad-key ../trav/chunk/00000", "invalid-chunk 4/chunk/abc",
                "invalid-chunk 4/chunk/99999999", "bad-key null");
        assertThat(state.versions()).isEmpty();
    }

    @Test
    void shouldSkipManifestsThatContradictThemselves() {
        state.apply("5", json(manifest("6", SHA)));                                     // key and version differ
        state.apply("7", json(manifest("7", SHA).replace("\"chunks\":1", "\"chunks\":2000000000")));
        state.apply("8", json(manifest("8", SHA).replace("\"size\":7", "\"size\":-1")));
        state.apply("9", json(manifest("9", SHA).replace("\"classes\":[\"__background__\",\"person\"]", "\"classes\":[]")));
        state.apply("10", json("[1,2]"));
        state.apply("11", json("null"));
        assertThat(skipped).hasSize(6).allMatch(s -> s.startsWith("invalid-manifest"));
        assertThat(state.versions()).isEmpty();
    }

    @Test
    void shouldOrderVersionsTotallyWithNumbersFirst() {
        assertThat(RegistryKeys.compareVersions("9", "10")).isNegative();
        assertThat(RegistryKeys.compareVersions("10", "a")).isNegative();
        assertThat(RegistryKeys.compareVersions("b", "a")).isPositive();
        assertThat(RegistryKeys.compareVersions(null, "1")).isNegative();
    }

    @Test
    void shouldAssembleAValidVersionAfterSkippingBadRecords() throws Exception {
        state.apply("serving", json("{\"version\":null}"));
        publishGood("1");
        Path dir = state.assemble("1", tmp.resolve("1"));
        assertThat(Files.readString(dir.resolve("model.pt"))).isEqualTo("weights");
    }
}
