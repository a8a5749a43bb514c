package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.dataset.Box;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

/** The provenance field of a reviewed label: carried through the codec, and checked like every other field. */
class ProvenanceTest {
    private final LabelCodec codec = LabelCodec.fromConfig(TestSettings.config());
    private final byte[] image = TestFrames.jpeg(64, 48);

    private byte[] value(String provenance, int boxes) {
        StringBuilder b = new StringBuilder("[");
        StringBuilder l = new StringBuilder("[");
        for (int i = 0; i < boxes; i++) {
            b.append(i > 0 ? "," : "").append("[1,1,20,30]");
            l.append(i > 0 ? "," : "").append("\"person\"");
        }
        return ("{\"image\":\"" + Base64.getEncoder().encodeToString(image) + "\",\"boxes\":" + b + "],\"labels\":" + l
                + "],\"camera\":\"door\",\"provenance\":" + provenance + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldCarryWhatTheReviewerChangedThroughTheCodec() throws Exception {
        Provenance p = new Provenance("r-1", "alice", 1, 1, 1, 2, false);
        byte[] v = LabelCodec.encode(image, List.of(new Box(1, 1, 20, 30), new Box(2, 2, 20, 30), new Box(3, 3, 20, 30)),
                List.of("person", "person", "person"), "door", "review:r-1", p);
        LabelSample s = codec.parse("review/door/r-1", v);
        assertThat(s.provenance()).isEqualTo(p);
        assertThat(s.reviewed()).isTrue();
        assertThat(codec.parse("k", LabelCodec.encode(image, List.of(), List.of(), "door", null)).reviewed()).isFalse();
    }

    @Test
    void shouldRefuseProvenanceThatDoesNotAddUp() {
        for (String[] bad : new String[][] {
                {"\"alice\"", "must be an object"},
                {"{\"item\":\"r\",\"reviewer\":\"a\",\"accepted\":1,\"moved\":0,\"added\":0,\"deleted\":0}", "the label has 2"},
                {"{\"item\":\"r\",\"reviewer\":\"a\",\"accepted\":-1,\"moved\":3,\"added\":0,\"deleted\":0}", "accepted"},
                {"{\"item\":\"r\",\"reviewer\":\"a\",\"accepted\":2.5,\"moved\":0,\"added\":0,\"deleted\":0}", "accepted"},
                {"{\"item\":\"\",\"reviewer\":\"a\",\"accepted\":2,\"moved\":0,\"added\":0,\"deleted\":0}", "item"},
                {"{\"item\":\"r\",\"accepted\":2,\"moved\":0,\"added\":0,\"deleted\":0}", "reviewer"},
                {"{\"item\":\"r\",\"reviewer\":\"a\",\"accepted\":2,\"moved\":0,\"added\":0,\"deleted\":0,\"nobody\":true}",
                        "nobody"}}) {
            assertThatThrownBy(() -> codec.parse("k", value(bad[0], 2))).as(bad[0])
                    .isInstanceOfSatisfying(LabelRejectedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(LabelRejectedException.Reason.BAD_FIELD);
                        assertThat(e.getMessage()).contains(bad[1]);
                    });
        }
    }
}
