package lookout.detections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import lookout.frames.DecodedImage;

class AppearanceTest {
    /** A 200x200 grey frame with a person-sized box at (x, 40) whose top half is {@code shirt} and bottom half {@code trousers}. */
    static DecodedImage personAt(int x, int[] shirt, int[] trousers) {
        int w = 200;
        int h = 200;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < w; c++) {
                int[] colour = {128, 128, 128};
                if (c >= x && c < x + 40 && y >= 40 && y < 160) {
                    colour = y < 100 ? shirt : trousers;
                }
                int p = (y * w + c) * 3;
                rgb[p] = (byte) colour[0];
                rgb[p + 1] = (byte) colour[1];
                rgb[p + 2] = (byte) colour[2];
            }
        }
        return new DecodedImage(w, h, rgb);
    }

    static final int[] RED = {200, 30, 30};
    static final int[] BLUE = {30, 40, 190};
    static final int[] BLACK = {20, 20, 20};

    @Test
    void shouldGiveTheSamePersonAtAnotherPlaceADistanceOfZero() {
        float[] a = Appearance.of(personAt(20, RED, BLACK), 20, 40, 60, 160);
        float[] b = Appearance.of(personAt(120, RED, BLACK), 120, 40, 160, 160);
        assertThat(Appearance.distance(a, b)).isCloseTo(0, within(1e-6));
    }

    @Test
    void shouldTellAShirtOfAnotherColourApart() {
        float[] red = Appearance.of(personAt(20, RED, BLACK), 20, 40, 60, 160);
        float[] blue = Appearance.of(personAt(20, BLUE, BLACK), 20, 40, 60, 160);
        // the trousers agree, the shirts have nothing in common: half the descriptor differs
        assertThat(Appearance.distance(red, blue)).isCloseTo(0.5, within(1e-6));
    }

    @Test
    void shouldTellTheSameColoursInAnotherOrderApart() {
        // red over black against black over red: same colours overall, different clothes
        float[] a = Appearance.of(personAt(20, RED, BLACK), 20, 40, 60, 160);
        float[] b = Appearance.of(personAt(20, BLACK, RED), 20, 40, 60, 160);
        assertThat(Appearance.distance(a, b)).isCloseTo(1, within(1e-6));
    }

    @Test
    void shouldHaveUnitLengthSoThatDistancesStayBetweenZeroAndOne() {
        float[] a = Appearance.of(personAt(20, RED, BLUE), 20, 40, 60, 160);
        double norm = 0;
        for (float v : a) {
            norm += v * v;
        }
        assertThat(a).hasSize(Appearance.LENGTH);
        assertThat(norm).isCloseTo(1, within(1e-5));
    }

    @Test
    void shouldReadOnlyTheInsideOfTheImageForABoxCrossingItsEdge() {
        float[] a = Appearance.of(personAt(180, RED, BLACK), 180, 40, 220, 160);
        assertThat(a).isNotNull();
        assertThat(Appearance.of(personAt(20, RED, BLACK), 300, 40, 340, 160)).isNull();
        assertThat(Appearance.of(personAt(20, RED, BLACK), 20, 40, 21, 160)).isNull();
    }

    @Test
    void shouldBinGreyPixelsByBrightnessAndColouredOnesByHue() {
        assertThat(Appearance.bin(20, 20, 20)).isEqualTo(Appearance.HUES * Appearance.SATURATIONS);
        assertThat(Appearance.bin(250, 250, 250)).isEqualTo(Appearance.HUES * Appearance.SATURATIONS + Appearance.GREYS - 1);
        assertThat(Appearance.bin(200, 30, 30)).isNotEqualTo(Appearance.bin(30, 40, 190));
        assertThat(Appearance.bin(200, 30, 30)).isLessThan(Appearance.HUES * Appearance.SATURATIONS);
    }

    @Test
    void shouldTreatAMissingDescriptorAsNoObjection() {
        assertThat(Appearance.distance(null, new float[Appearance.LENGTH])).isZero();
    }

    @Test
    void shouldBlendTowardsTheNewLookAndStayUnitLength() {
        float[] red = Appearance.of(personAt(20, RED, BLACK), 20, 40, 60, 160);
        float[] blue = Appearance.of(personAt(20, BLUE, BLACK), 20, 40, 60, 160);
        float[] mixed = Appearance.blend(red, blue, 0.9);
        assertThat(Appearance.distance(mixed, red)).isLessThan(Appearance.distance(mixed, blue));
        assertThat(Appearance.distance(mixed, mixed)).isCloseTo(0, within(1e-5));
        assertThat(Appearance.blend(null, blue, 0.9)).isSameAs(blue);
    }
}
