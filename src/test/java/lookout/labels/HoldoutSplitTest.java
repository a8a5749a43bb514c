package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class HoldoutSplitTest {

    @Test
    void shouldPutTheSameIdOnTheSameSideEveryTime() {
        HoldoutSplit a = new HoldoutSplit(0.2);
        HoldoutSplit b = new HoldoutSplit(0.2);
        for (int i = 0; i < 200; i++) {
            String id = "cam/seq/" + i;
            assertThat(a.isHoldout(id)).isEqualTo(b.isHoldout(id));
        }
    }

    @Test
    void shouldHoldOutRoughlyTheConfiguredFraction() {
        HoldoutSplit split = new HoldoutSplit(0.2);
        long held = IntStream.range(0, 5000).filter(i -> split.isHoldout("cam/seq/" + i)).count();
        assertThat(held).isBetween(900L, 1100L);
    }

    @Test
    void shouldHoldOutNothingAtFractionZero() {
        HoldoutSplit split = new HoldoutSplit(0);
        assertThat(IntStream.range(0, 100).noneMatch(i -> split.isHoldout("x" + i))).isTrue();
    }

    @Test
    void shouldRefuseFractionOutsideUnitInterval() {
        assertThatThrownBy(() -> new HoldoutSplit(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HoldoutSplit(-0.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
