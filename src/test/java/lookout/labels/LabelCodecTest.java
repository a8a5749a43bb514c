package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.labels.LabelRejectedException.Reason;
import lookout.dataset.Box;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

class LabelCodecTest {
    private final LabelCodec codec = LabelCodec.fromConfig(TestSettings.config());
    private final String png = Base64.getEncoder().encodeToString(TestFrames.image("png", 64, 48));

    private static final String PERSON = "[\"person\"]";

    private LabelSample parse(String json) throws LabelRejectedException {
        return codec.parse("cam/seq/000001", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A record with the test image and these boxes and labels (JSON arrays; null labels leave the field out). */
    private String sample(String boxes, String labels) {
        return "{\"image\":\"" + png + "\",\"boxes\":" + boxes + (labels == null ? "" : ",\"labels\":" + labels) + "}";
    }

    private void assertRejected(String json, Reason reason) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(LabelRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void shouldParseValidSampleWithImageSizeAndOptionalFields() throws Exception {
        LabelSample s = parse("{\"image\":\"" + png + "\",\"boxes\":[[1,2,30,40]],\"labels\":[\"person\"],"
                + "\"camera\":\"cam\",\"source\":\"test\"}");
        assertThat(s.width()).isEqualTo(64);
        assertThat(s.height()).isEqualTo(48);
        assertThat(s.boxes()).containsExactly(new Box(1, 2, 30, 40));
        assertThat(s.labels()).containsExactly("person");
        assertThat(s.camera()).isEqualTo("cam");
        assertThat(s.source()).isEqualTo("test");
    }

    @Test
    void shouldAcceptFrameWithNobodyAsNegativeSample() throws Exception {
        assertThat(parse(sample("[]", "[]")).boxes()).isEmpty();
        assertThat(parse("{\"image\":\"" + png + "\"}").boxes()).isEmpty();
    }

    @Test
    void shouldRoundTripThroughEncode() throws Exception {
        LabelSample s = parse(sample("[[1.5,2,30,40]]", PERSON));
        LabelSample back = codec.parse(s.id(), LabelCodec.encode(s));
        assertThat(back.boxes()).isEqualTo(s.boxes());
        assertThat(back.image()).isEqualTo(s.image());
    }

    @Test
    void shouldClipBoxWithinRoundingToleranceOfBorder() throws Exception {
        LabelSample s = parse(sample("[[-0.5,0,64.6,48]]", PERSON));
        assertThat(s.boxes().get(0)).isEqualTo(new Box(0, 0, 64, 48));
    }

    @Test
    void shouldRejectMalformedJson() {
        assertRejected("{\"image\":", Reason.MALFORMED_JSON);
        assertRejected("[1,2]", Reason.MALFORMED_JSON);
    }

    @Test
    void shouldRejectMissingOrUndecodableImage() {
        assertRejected("{\"boxes\":[]}", Reason.MISSING_IMAGE);
        assertRejected("{\"image\":\"%%%not base64\"}", Reason.BAD_BASE64);
        String junk = Base64.getEncoder().encodeToString("definitely not a jpeg".getBytes(StandardCharsets.UTF_8));
        assertRejected("{\"image\":\"" + junk + "\"}", Reason.UNDECODABLE_IMAGE);
    }

    @Test
    void shouldRejectBoxesOutsideImage() {
        assertRejected(sample("[[10,10,80,40]]", PERSON), Reason.BOX_OUTSIDE_IMAGE);
        assertRejected(sample("[[-5,10,20,40]]", PERSON), Reason.BOX_OUTSIDE_IMAGE);
    }

    @Test
    void shouldRejectDegenerateAndMalformedBoxes() {
        assertRejected(sample("[[10,10,10,40]]", PERSON), Reason.DEGENERATE_BOX);
        assertRejected(sample("[[30,10,20,40]]", PERSON), Reason.DEGENERATE_BOX);
        assertRejected(sample("[[1,2,3]]", PERSON), Reason.BAD_BOX);
        assertRejected(sample("[[1,2,\"x\",4]]", PERSON), Reason.BAD_BOX);
    }

    @Test
    void shouldRejectUnknownLabelsAndCountMismatch() {
        assertRejected(sample("[[1,2,30,40]]", "[\"car\"]"), Reason.UNKNOWN_LABEL);
        assertRejected(sample("[[1,2,30,40]]", "[]"), Reason.LABEL_COUNT_MISMATCH);
        assertRejected(sample("[[1,2,30,40]]", null), Reason.LABEL_COUNT_MISMATCH);
    }

    @Test
    void shouldRejectMissingKey() {
        assertThatThrownBy(() -> codec.parse(" ", LabelCodec.encode(TestFrames.image("png", 8, 8), List.of(),
                List.of(), null, null))).isInstanceOfSatisfying(LabelRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_KEY));
    }
}
