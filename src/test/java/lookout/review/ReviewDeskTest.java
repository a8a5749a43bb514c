package lookout.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.detections.DetectionRecord;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSample;
import lookout.labels.Provenance;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

/** Answers to review items: what becomes a label (with what provenance), and what is refused, with which reason. */
class ReviewDeskTest {
    static final long NOW = 1_800_000_000_000L;
    private final byte[] picture = TestFrames.jpeg(320, 240);
    private final ReviewDesk desk = new ReviewDesk(3, LabelCodec.fromConfig(TestSettings.config()), "person");

    /** An item of camera door with two model boxes. */
    private ReviewItem offer(long seq) {
        ReviewItem item = new ReviewItem(ReviewItem.idOf("door", seq, NOW + seq), "door", seq, NOW + seq, 320, 240,
                new DetectionRecord.ModelRef("m", "1"), 0.35f,
                List.of(new DetectionRecord.Item("person", 0.8f, new float[] {10.5f, 20.25f, 50, 120}, 4L),
                        new DetectionRecord.Item("person", 0.4f, new float[] {200, 30, 240, 150}, null)),
                List.of(), List.of("near-threshold:1"), 0.8, NOW + seq);
        desk.offered(item, picture);
        return item;
    }

    private ReviewDesk.Accepted answer(ReviewItem item, String json) throws ReviewDesk.Refused {
        return desk.answer(item.id(), json.getBytes(StandardCharsets.UTF_8), "alice", NOW);
    }

    private static Provenance provenance(ReviewDesk.Accepted a) {
        return a.sample().provenance();
    }

    @Test
    void shouldMakeAnAcceptedFrameALabelWithTheModelsBoxesAndSayNothingChanged() throws Exception {
        ReviewItem item = offer(1);
        ReviewDesk.Accepted a = answer(item, "{\"boxes\":[[10.5,20.25,50,120],[200,30,240,150]]}");
        assertThat(a.labelKey()).isEqualTo("review/door/" + item.id());
        LabelSample s = a.sample();
        assertThat(s.camera()).isEqualTo("door");
        assertThat(s.source()).isEqualTo("review:" + item.id());
        assertThat(s.image()).isEqualTo(picture);
        assertThat(s.boxes()).hasSize(2);
        assertThat(provenance(a)).isEqualTo(new Provenance(item.id(), "alice", 2, 0, 0, 0, false));
        // the value is what any reader of lookout.labels parses back, provenance included
        assertThat(LabelCodec.fromConfig(TestSettings.config()).parse(a.labelKey(), a.labelValue()).provenance())
                .isEqualTo(provenance(a));
    }

    @Test
    void shouldCountMovedAddedAndDeletedBoxesFromTheBoxesThemselves() throws Exception {
        ReviewItem item = offer(1);
        // first box moved 10 px right, second deleted, one person drawn
        ReviewDesk.Accepted a = answer(item, "{\"boxes\":[[20.5,20.25,60,120],[100,40,140,200]]}");
        assertThat(provenance(a)).isEqualTo(new Provenance(item.id(), "alice", 0, 1, 1, 1, false));
        assertThat(a.sample().boxes()).extracting(b -> b.x1()).containsExactly(20.5f, 100f);
    }

    @Test
    void shouldTakeNobodyHereAsANegativeSample() throws Exception {
        ReviewItem item = offer(1);
        ReviewDesk.Accepted a = answer(item, "{\"boxes\":[],\"nobody\":true}");
        assertThat(a.sample().boxes()).isEmpty();
        assertThat(provenance(a)).isEqualTo(new Provenance(item.id(), "alice", 0, 0, 0, 2, true));
        assertThat(a.mark().outcome()).isEqualTo("nobody");
    }

    @Test
    void shouldRefuseABoxOutsideTheFrameWithTheLabelsOwnReason() {
        ReviewItem item = offer(1);
        assertThatThrownBy(() -> answer(item, "{\"boxes\":[[300,10,400,100]]}"))
                .isInstanceOfSatisfying(ReviewDesk.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("box-outside-image");
                    assertThat(e.getMessage()).contains("320x240");
                });
        // a refused answer leaves the item waiting: a corrected one is taken
        assertThat(desk.waiting(null)).extracting(ReviewItem::id).containsExactly(item.id());
    }

    @Test
    void shouldRefuseAnItemThatWasNeverOffered() {
        offer(1);
        assertThatThrownBy(() -> desk.answer("r-00000000000000000000", "{\"boxes\":[]}".getBytes(StandardCharsets.UTF_8),
                "mallory", NOW)).isInstanceOfSatisfying(ReviewDesk.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("unknown-item");
                });
    }

    @Test
    void shouldRefuseAReplayedAnswerEvenWhileTheFirstIsBeingWritten() throws Exception {
        ReviewItem item = offer(1);
        ReviewDesk.Accepted first = answer(item, "{\"boxes\":[]}");
        // the first answer's label is on its way (not yet marked answered): a second answer is a replay
        assertThatThrownBy(() -> answer(item, "{\"boxes\":[[1,1,50,50]]}"))
                .isInstanceOfSatisfying(ReviewDesk.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo("already-answered");
                    assertThat(e.getMessage()).contains("alice");
                });
        desk.answered(item.id(), first.mark());
        assertThatThrownBy(() -> answer(item, "{\"boxes\":[]}")).isInstanceOfSatisfying(ReviewDesk.Refused.class,
                e -> assertThat(e.code()).isEqualTo("already-answered"));
        // and an item answered elsewhere (its mark read from the topic) is not offered again
        desk.offered(item, picture);
        assertThat(desk.waiting(null)).isEmpty();
    }

    @Test
    void shouldGiveTheItemBackWhenItsLabelCouldNotBeWritten() throws Exception {
        ReviewItem item = offer(1);
        answer(item, "{\"boxes\":[]}");
        desk.failed(item.id());
        assertThat(answer(item, "{\"boxes\":[]}").sample()).isNotNull();
    }

    @Test
    void shouldRefuseAnswersThatAreNoAnswers() {
        ReviewItem item = offer(1);
        for (String[] bad : new String[][] {
                {"[1,2,3]", "bad-answer"},
                {"{\"boxes\":[[1,2,3]]}", "bad-box"},
                {"{\"boxes\":[[1,2,\"x\",4]]}", "bad-box"},
                {"{\"boxes\":[[1e400,2,3,4]]}", "bad-box"},
                {"{\"boxes\":[[10,10,10.5,60]]}", "degenerate-box"},
                {"{\"boxes\":[[1,1,20,20]],\"nobody\":true}", "bad-answer"},
                {"{\"boxes\":[],\"labels\":[\"cat\"]}", "bad-answer"},
                {"{\"boxes\":[],\"nobody\":\"yes\"}", "bad-answer"},
                {"not json", "bad-answer"}}) {
            assertThatThrownBy(() -> answer(item, bad[0])).as(bad[0])
                    .isInstanceOfSatisfying(ReviewDesk.Refused.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.code()).isEqualTo(bad[1]);
                    });
        }
        byte[] huge = new byte[ReviewDesk.MAX_BODY_BYTES + 1];
        assertThatThrownBy(() -> desk.answer(item.id(), huge, "alice", NOW)).isInstanceOf(ReviewDesk.Refused.class);
        assertThat(desk.waiting(null)).as("still waiting after every refusal").hasSize(1);
    }

    @Test
    void shouldKeepTheNewestItemsUpToItsLimitOldestPickFirst() {
        for (int i = 1; i <= 5; i++) {
            offer(i);
        }
        assertThat(desk.waiting(null)).extracting(ReviewItem::seq).containsExactly(3L, 4L, 5L);
        assertThat(desk.waiting("hall")).isEmpty();
    }
}
