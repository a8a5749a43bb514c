package lookout.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import lookout.common.Json;
import lookout.common.Sha256;

class LineageTest {
    private static List<Lineage.Sample> samples() {
        return List.of(
                new Lineage.Sample("cam/b", Sha256.hex("second image".getBytes(StandardCharsets.UTF_8)), new float[0]),
                new Lineage.Sample("cam/a", Sha256.hex("first image".getBytes(StandardCharsets.UTF_8)),
                        new float[] {1.234f, 2.5f, 30.126f, 40.0f, 0.005f, 0.015f, 100.555f, 7.125f}));
    }

    @Test
    void shouldBumpIntegerVersionsAndExtendOthers() {
        assertThat(Lineage.nextVersion(List.of("1"))).isEqualTo("2");
        assertThat(Lineage.nextVersion(List.of(" 41 "))).isEqualTo("42");
        assertThat(Lineage.nextVersion(List.of("1.3"))).isEqualTo("1.3.1");
        assertThat(Lineage.nextVersion(Collections.singletonList(null))).isEqualTo("1");
        assertThat(Lineage.nextVersion(List.of())).isEqualTo("1");
    }

    @Test
    void shouldNumberAfterTheLargestIntegerVersionIgnoringNamedOnes() {
        assertThat(Lineage.nextVersion(List.of("1", "2", "exp-a", "10"))).isEqualTo("11");
    }

    @Test
    void shouldFingerprintAsThePythonToolchainDoes() {
        // the value model/lookout_model/datasets.py fingerprint() gives for the same two files and boxes
        assertThat(Lineage.dataFingerprint(samples()))
                .isEqualTo("0d6ecdc9430b8ca96b522f23b6522650d8cdf989623faabb3f8ad711e072f1f8");
    }

    @Test
    void shouldFingerprintTheSameDataIdenticallyRegardlessOfOrder() {
        List<Lineage.Sample> reversed = new ArrayList<>(samples());
        Collections.reverse(reversed);
        assertThat(Lineage.dataFingerprint(reversed)).isEqualTo(Lineage.dataFingerprint(samples()));
    }

    @Test
    void shouldChangeTheFingerprintWhenABoxOrAnImageChanges() {
        List<Lineage.Sample> moved = new ArrayList<>(samples());
        moved.set(0, new Lineage.Sample("cam/b", moved.get(0).imageSha256(), new float[] {1, 1, 5, 5}));
        assertThat(Lineage.dataFingerprint(moved)).isNotEqualTo(Lineage.dataFingerprint(samples()));
        List<Lineage.Sample> otherImage = new ArrayList<>(samples());
        otherImage.set(0, new Lineage.Sample("cam/b", Sha256.hex(new byte[] {1}), new float[0]));
        assertThat(Lineage.dataFingerprint(otherImage)).isNotEqualTo(Lineage.dataFingerprint(samples()));
    }

    @Test
    void shouldDeriveAChildThatNamesItsParentAndForgetsTheParentsMetrics() {
        ObjectNode parent = Json.MAPPER.createObjectNode().put("name", "m").put("version", "3").put("sha256", "old");
        parent.putObject("metrics").put("ap50", 0.9);
        parent.putArray("classes").add("__background__").add("person");
        ObjectNode child = Lineage.derive(parent, "4", "fp", "new");
        assertThat(child.path("version").asText()).isEqualTo("4");
        assertThat(child.path("parent").asText()).isEqualTo("3");
        assertThat(child.path("dataFingerprint").asText()).isEqualTo("fp");
        assertThat(child.path("sha256").asText()).isEqualTo("new");
        assertThat(child.path("metrics").isEmpty()).isTrue();
        assertThat(child.path("classes")).isEqualTo(parent.path("classes"));
        assertThat(child.path("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(parent.path("version").asText()).as("the parent is left as it was").isEqualTo("3");
    }

    @Test
    void shouldStampTheRegistrysVersionAndTheChecksumOfWhatIsPublished() {
        ObjectNode meta = Json.MAPPER.createObjectNode().put("version", "2").put("parent", "1");
        Lineage.publish(meta, "7", "abc");
        assertThat(meta.path("version").asText()).isEqualTo("7");
        assertThat(meta.path("sha256").asText()).isEqualTo("abc");
        assertThat(meta.path("parent").asText()).isEqualTo("1");
    }
}
