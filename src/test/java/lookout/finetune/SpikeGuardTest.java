package lookout.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which steps' updates a retrain applies: every ordinary one, not a lone hundredfold spike. */
class SpikeGuardTest {

    @Test
    void givenStepsOfThreeToSix_whenOneStepsLossIs1586_thenOnlyThatStepIsSkipped() {
        SpikeGuard guard = new SpikeGuard();
        for (int i = 0; i < 40; i++) {
            assertThat(guard.accept(3 + (i % 4))).isTrue();
        }
        assertThat(guard.accept(1586)).isFalse();
        assertThat(guard.accept(4.5)).isTrue();
        assertThat(guard.skipped()).isEqualTo(1);
    }

    @Test
    void givenFewerThanTenSteps_whenALossIsLarge_thenItIsApplied() {
        SpikeGuard guard = new SpikeGuard();
        for (int i = 0; i < SpikeGuard.MIN_HISTORY - 1; i++) {
            guard.accept(1);
        }
        assertThat(guard.accept(1000)).isTrue();
        assertThat(guard.skipped()).isZero();
    }

    @Test
    void givenTheLossDoublesAndStays_whenTheRunGoesOn_thenEveryStepIsApplied() {
        SpikeGuard guard = new SpikeGuard();
        for (int i = 0; i < 30; i++) {
            guard.accept(2);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(guard.accept(4)).isTrue();
        }
        assertThat(guard.median()).isEqualTo(4);
    }

    @Test
    void givenALossJustUnderTenTimesTheMedian_whenOffered_thenItIsApplied() {
        SpikeGuard guard = new SpikeGuard();
        for (int i = 0; i < 20; i++) {
            guard.accept(2);
        }
        assertThat(guard.accept(19.9)).isTrue();
        assertThat(guard.accept(20.1)).isFalse();
    }
}
