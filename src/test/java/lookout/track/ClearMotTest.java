package lookout.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Every expected number below is worked out by hand in the comments. */
class ClearMotTest {
    private static final Rect A = new Rect(0, 0, 10, 10);
    private static final Rect B = new Rect(100, 0, 110, 10);
    private static final Rect FAR = new Rect(500, 500, 510, 510);

    /** Frames built as {frame, id, box} triples. */
    private static Map<Integer, List<IdBox>> frames(Object... rows) {
        Map<Integer, List<IdBox>> out = new HashMap<>();
        for (int i = 0; i < rows.length; i += 3) {
            out.computeIfAbsent((Integer) rows[i], k -> new java.util.ArrayList<>())
                    .add(new IdBox(((Number) rows[i + 1]).longValue(), (Rect) rows[i + 2]));
        }
        return out;
    }

    private static Rect shifted(Rect r, double dx) {
        return new Rect(r.x1() + dx, r.y1(), r.x2() + dx, r.y2());
    }

    @Test
    void shouldScorePerfectTrackingAsOne() {
        // Given two people over three frames, tracked under other id numbers
        var gt = frames(1, 1, A, 1, 2, B, 2, 1, A, 2, 2, B, 3, 1, A, 3, 2, B);
        var pred = frames(1, 7, A, 1, 9, B, 2, 7, A, 2, 9, B, 3, 7, A, 3, 9, B);
        MotScore m = ClearMot.score(gt, pred);
        // Then MOTA = 1 - 0/6, IDF1 = 2*6/(6+6), MOTP = mean IoU 1
        assertThat(m.mota()).isEqualTo(1.0);
        assertThat(m.idf1()).isEqualTo(1.0);
        assertThat(m.motp()).isEqualTo(1.0);
        assertThat(List.of(m.idSwitches(), m.falsePositives(), m.misses(), m.matches(), m.idtp())).containsExactly(0L, 0L, 0L, 6L, 6L);
    }

    @Test
    void shouldCountOneIdSwitch() {
        // Given one person over 4 frames, tracked as 10 then as 11
        var gt = frames(1, 1, A, 2, 1, A, 3, 1, A, 4, 1, A);
        var pred = frames(1, 10, A, 2, 10, A, 3, 11, A, 4, 11, A);
        MotScore m = ClearMot.score(gt, pred);
        // Then 1 switch: MOTA = 1 - 1/4 = 0.75; IDTP = 2 (1 -> 10 on two frames): IDF1 = 4/8 = 0.5
        assertThat(m.idSwitches()).isEqualTo(1);
        assertThat(m.mota()).isEqualTo(0.75);
        assertThat(m.idtp()).isEqualTo(2);
        assertThat(m.idf1()).isEqualTo(0.5);
        assertThat(m.idp()).isEqualTo(0.5);
        assertThat(m.idr()).isEqualTo(0.5);
    }

    @Test
    void shouldScoreAFragmentedTrackLowerOnIdf1ThanOnMota() {
        // Given one person over 10 frames whose track breaks into 5 ids of 2 frames each
        Object[] g = new Object[30];
        Object[] p = new Object[30];
        for (int f = 1; f <= 10; f++) {
            int k = (f - 1) * 3;
            g[k] = f; g[k + 1] = 1; g[k + 2] = A;
            p[k] = f; p[k + 1] = 100 + (f - 1) / 2; p[k + 2] = A;
        }
        MotScore m = ClearMot.score(frames(g), frames(p));
        // Then 4 switches: MOTA = 1 - 4/10 = 0.6; only one fragment counts for identity: IDF1 = 2*2/20 = 0.2
        assertThat(m.idSwitches()).isEqualTo(4);
        assertThat(m.mota()).isCloseTo(0.6, within(1e-12));
        assertThat(m.idf1()).isCloseTo(0.2, within(1e-12));
        assertThat(m.idf1()).isLessThan(m.mota());
        assertThat(m.predIds()).isEqualTo(5);
    }

    @Test
    void shouldCountMisses() {
        // Given two people over 2 frames of which only one is ever tracked
        var gt = frames(1, 1, A, 1, 2, B, 2, 1, A, 2, 2, B);
        var pred = frames(1, 5, A, 2, 5, A);
        MotScore m = ClearMot.score(gt, pred);
        // Then FN = 2: MOTA = 1 - 2/4 = 0.5; IDTP = 2: IDF1 = 4/(4+2), IDP = 2/2, IDR = 2/4
        assertThat(m.misses()).isEqualTo(2);
        assertThat(m.falsePositives()).isZero();
        assertThat(m.mota()).isEqualTo(0.5);
        assertThat(m.idf1()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.idp()).isEqualTo(1.0);
        assertThat(m.idr()).isEqualTo(0.5);
    }

    @Test
    void shouldCountFalsePositives() {
        // Given one person over 2 frames, tracked, plus a phantom track far away
        var gt = frames(1, 1, A, 2, 1, A);
        var pred = frames(1, 5, A, 1, 6, FAR, 2, 5, A, 2, 6, FAR);
        MotScore m = ClearMot.score(gt, pred);
        // Then FP = 2: MOTA = 1 - 2/2 = 0; IDTP = 2: IDF1 = 4/(2+4), IDP = 2/4, IDR = 2/2
        assertThat(m.falsePositives()).isEqualTo(2);
        assertThat(m.mota()).isZero();
        assertThat(m.idf1()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.idp()).isEqualTo(0.5);
        assertThat(m.idr()).isEqualTo(1.0);
    }

    @Test
    void shouldMatchOnlyAtIouOfOneHalfOrMore() {
        // Given a box shifted by 2 px (IoU 8/12 = 0.667) and one shifted by 5 px (IoU 5/15 = 0.333)
        var gt = frames(1, 1, A, 1, 2, B);
        var pred = frames(1, 5, shifted(A, 2), 1, 6, shifted(B, 5));
        MotScore m = ClearMot.score(gt, pred);
        // Then one match at IoU 2/3, one miss, one false positive: MOTA = 1 - 2/2 = 0
        assertThat(m.matches()).isEqualTo(1);
        assertThat(m.motp()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.misses()).isEqualTo(1);
        assertThat(m.falsePositives()).isEqualTo(1);
        assertThat(m.mota()).isZero();
    }

    @Test
    void shouldKeepAnEstablishedCorrespondenceOverABetterFittingNewcomer() {
        // Given person 1 matched to track 10 (IoU 2/3); on frame 2 track 11 fits exactly, 10 still fits
        var gt = frames(1, 1, A, 2, 1, A);
        var pred = frames(1, 10, shifted(A, 2), 2, 10, shifted(A, 2), 2, 11, A);
        MotScore m = ClearMot.score(gt, pred);
        // Then CLEAR-MOT keeps 1 <-> 10: no switch, track 11 is a false positive; MOTA = 1 - 1/2
        assertThat(m.idSwitches()).isZero();
        assertThat(m.falsePositives()).isEqualTo(1);
        assertThat(m.mota()).isEqualTo(0.5);
    }

    @Test
    void shouldCountASwitchAfterAGapWhenThePersonComesBackUnderAnotherId() {
        // Given person 1 matched to 10, missed on frame 2, matched to 11 on frame 3
        var gt = frames(1, 1, A, 2, 1, A, 3, 1, A);
        var pred = frames(1, 10, A, 3, 11, A);
        MotScore m = ClearMot.score(gt, pred);
        // Then 1 miss and 1 switch: MOTA = 1 - 2/3
        assertThat(m.misses()).isEqualTo(1);
        assertThat(m.idSwitches()).isEqualTo(1);
        assertThat(m.mota()).isCloseTo(1.0 / 3, within(1e-12));
    }

    @Test
    void shouldAssignIdentitiesGloballyWhenTwoTracksSwapPeople() {
        // Given two people over 4 frames whose track ids swap after frame 2
        var gt = frames(1, 1, A, 1, 2, B, 2, 1, A, 2, 2, B, 3, 1, A, 3, 2, B, 4, 1, A, 4, 2, B);
        var pred = frames(1, 10, A, 1, 11, B, 2, 10, A, 2, 11, B, 3, 11, A, 3, 10, B, 4, 11, A, 4, 10, B);
        MotScore m = ClearMot.score(gt, pred);
        // Then 2 switches: MOTA = 1 - 2/8 = 0.75; the best one-to-one id assignment covers 4 of 8: IDF1 = 0.5
        assertThat(m.idSwitches()).isEqualTo(2);
        assertThat(m.mota()).isEqualTo(0.75);
        assertThat(m.idtp()).isEqualTo(4);
        assertThat(m.idf1()).isEqualTo(0.5);
    }

    @Test
    void shouldScoreFramesPresentOnOnlyOneSide() {
        // Given ground truth on frame 1 only, and a prediction on frame 2 only
        MotScore m = ClearMot.score(frames(1, 1, A), frames(2, 5, A));
        assertThat(m.frames()).isEqualTo(2);
        assertThat(List.of(m.misses(), m.falsePositives(), m.matches())).containsExactly(1L, 1L, 0L);
        assertThat(m.mota()).isEqualTo(-1.0);
        assertThat(m.idf1()).isZero();
    }
}
