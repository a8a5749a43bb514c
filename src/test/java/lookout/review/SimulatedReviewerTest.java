package lookout.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.dataset.Box;

/** The simulated reviewer answers like a careful operator: loose boxes are moved onto the person, and counted. */
class SimulatedReviewerTest {
    private static final Box PERSON = new Box(100, 50, 200, 250);
    /** Shifted by 10 px of 100: IoU 0.82, good enough for a hurried eye, not for a careful one. */
    private static final Box LOOSE = new Box(110, 50, 210, 250);
    /** Shifted by 5 px: IoU 0.90. */
    private static final Box TIGHT = new Box(105, 50, 205, 250);

    @Test
    void givenAModelBoxAtIoU082_whenTheCarefulReviewerAnswers_thenItIsMovedOntoThePersonForOneDrag() {
        assertThat(LOOSE.iou(PERSON)).isBetween(0.8, 0.85);

        SimulatedReviewer.Answer a = SimulatedReviewer.answer(List.of(LOOSE), List.of(PERSON));

        assertThat(a.boxes()).containsExactly(PERSON);
        assertThat(a.moved()).isEqualTo(1);
        assertThat(a.accepted()).isZero();
        assertThat(a.corrections()).isEqualTo(1);
        assertThat(a.pageActions()).isEqualTo(2); // the drag and Enter
    }

    @Test
    void givenAModelBoxAtIoU090_whenTheCarefulReviewerAnswers_thenItIsAcceptedAsItIsForOneKey() {
        SimulatedReviewer.Answer a = SimulatedReviewer.answer(List.of(TIGHT), List.of(PERSON));

        assertThat(a.boxes()).containsExactly(TIGHT);
        assertThat(a.accepted()).isEqualTo(1);
        assertThat(a.corrections()).isZero();
        assertThat(a.pageActions()).isEqualTo(1);
    }

    @Test
    void givenTheLooseThreshold07_whenTheSameIoU082Box_thenItIsAcceptedAsItIs() {
        SimulatedReviewer.Answer a = SimulatedReviewer.answer(List.of(LOOSE), List.of(PERSON), 0.7);

        assertThat(a.boxes()).containsExactly(LOOSE);
        assertThat(a.accepted()).isEqualTo(1);
    }

    @Test
    void givenABoxOnNobodyAndAMissedPerson_whenAnswered_thenOneIsDeletedAndOneDrawnAndEveryActionCounted() {
        Box nobody = new Box(400, 50, 450, 150);
        Box missed = new Box(300, 60, 350, 200);

        SimulatedReviewer.Answer a = SimulatedReviewer.answer(List.of(TIGHT, nobody), List.of(PERSON, missed), 0.85);

        assertThat(a.boxes()).containsExactlyInAnyOrder(TIGHT, missed);
        assertThat(List.of(a.accepted(), a.moved(), a.added(), a.deleted())).containsExactly(1, 0, 1, 1);
        assertThat(a.pageActions()).isEqualTo(1 + 1 + 2); // Enter, a drag, a click and Del
    }

    @Test
    void givenAnAcceptThresholdUnderTheMoveThreshold_whenAnswering_thenItIsRefused() {
        assertThatThrownBy(() -> SimulatedReviewer.answer(List.of(TIGHT), List.of(PERSON), 0.2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accept IoU");
    }
}
