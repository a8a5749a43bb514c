package lookout.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CountingLineTest {
    /** Across the frame at 60% height, drawn left to right. */
    private static final CountingLine DOOR = new CountingLine(0, 0.6, 1, 0.6);

    @Test
    void shouldCountWalkingUpTheImageAcrossALeftToRightLineAsIn() {
        assertThat(DOOR.crossing(0.5, 0.7, 0.5, 0.5)).isEqualTo(CountingLine.IN);
        assertThat(DOOR.crossing(0.5, 0.5, 0.5, 0.7)).isEqualTo(CountingLine.OUT);
    }

    @Test
    void shouldFlipInAndOutWhenTheLineIsDrawnTheOtherWay() {
        CountingLine reversed = new CountingLine(1, 0.6, 0, 0.6);
        assertThat(reversed.crossing(0.5, 0.7, 0.5, 0.5)).isEqualTo(CountingLine.OUT);
    }

    @Test
    void shouldNotCountStepsThatStayOnOneSideTouchTheLineOrPassBesideTheSegment() {
        assertThat(DOOR.crossing(0.1, 0.7, 0.9, 0.65)).isEqualTo(CountingLine.NONE);
        assertThat(DOOR.crossing(0.5, 0.7, 0.5, 0.6)).isEqualTo(CountingLine.NONE);
        CountingLine doorway = new CountingLine(0.4, 0.6, 0.6, 0.6);
        assertThat(doorway.crossing(0.8, 0.7, 0.8, 0.5)).isEqualTo(CountingLine.NONE);
        assertThat(doorway.crossing(0.5, 0.7, 0.5, 0.5)).isEqualTo(CountingLine.IN);
    }

    @Test
    void shouldPutPointsWithinTheMarginOnNeitherSide() {
        assertThat(DOOR.side(0.5, 0.61, 0.02)).isZero();
        assertThat(DOOR.side(0.5, 0.63, 0.02)).isEqualTo(1);
        assertThat(DOOR.side(0.5, 0.57, 0.02)).isEqualTo(-1);
        // the margin is a distance from the line, whatever its slope
        CountingLine diagonal = new CountingLine(0, 0, 1, 1);
        assertThat(diagonal.side(0.5, 0.52, 0.02)).isZero();
        assertThat(diagonal.side(0.5, 0.54, 0.02)).isEqualTo(1);
    }

    @Test
    void shouldRefuseLinesOutsideTheFrameOrOfNoLength() {
        assertThatThrownBy(() -> new CountingLine(0, 300, 640, 300)).hasMessageContaining("fractions of the frame");
        assertThatThrownBy(() -> new CountingLine(0.5, 0.5, 0.5, 0.5)).hasMessageContaining("two different");
        assertThatThrownBy(() -> CountingLine.of(new double[] {0, 1})).hasMessageContaining("4 numbers");
    }
}
