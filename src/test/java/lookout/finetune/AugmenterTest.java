package lookout.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lookout.common.Sha256;
import lookout.dataset.Box;
import lookout.frames.DecodedImage;

class AugmenterTest {
    private static TrainingSample sample() {
        byte[] rgb = new byte[4 * 2 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) i;
        }
        return new TrainingSample("s", Sha256.hex(rgb), new DecodedImage(4, 2, rgb), List.of(new Box(0, 0, 1, 2)));
    }

    @Test
    void shouldMirrorPixelsAndBoxesWhenFlipping() {
        TrainingSample flipped = Augmenter.flip(sample());
        assertThat(flipped.boxes()).containsExactly(new Box(3, 0, 4, 2));
        // pixel (x=0,y=0) moves to (x=3,y=0)
        assertThat(flipped.image().rgb()[9]).isEqualTo((byte) 0);
        assertThat(flipped.image().rgb()[0]).isEqualTo((byte) 9);
        assertThat(Augmenter.flip(flipped).boxes()).isEqualTo(sample().boxes());
        assertThat(Augmenter.flip(flipped).image().rgb()).isEqualTo(sample().image().rgb());
        assertThat(flipped.imageSha256()).as("an augmented view keeps the sample's identity").isEqualTo(sample().imageSha256());
    }

    @Test
    void shouldCropOrPadAndMoveBoxesWhenScaling() {
        byte[] rgb = new byte[100 * 100 * 3];
        TrainingSample big = new TrainingSample("b", Sha256.hex(rgb), new DecodedImage(100, 100, rgb),
                List.of(new Box(40, 40, 60, 60)));
        TrainingSample padded = Augmenter.scale(big, 0.5, new Random(1));
        assertThat(padded.image().width()).isEqualTo(200);
        Box moved = padded.boxes().get(0);
        assertThat(moved.width()).isEqualTo(20f);
        assertThat(moved.x1()).isBetween(40f, 140f);
        TrainingSample cropped = Augmenter.scale(big, 2.0, new Random(3));
        assertThat(cropped.image().width()).isIn(50, 100); // 100 when no crop kept the person
        for (Box b : cropped.boxes()) {
            assertThat(b.x1()).isGreaterThanOrEqualTo(0f);
            assertThat(b.x2()).isLessThanOrEqualTo(cropped.image().width());
        }
    }

    @Test
    void shouldFollowWarmUpThenCosineDecay() {
        LearningRateSchedule s = new LearningRateSchedule(0.01f, 10, 110, LearningRateSchedule.Decay.COSINE, java.util.Map.of("bb", 0.1f));
        assertThat(s.at(0)).isCloseTo(0.01f * (0.1f + 0.9f * 0.1f), org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(s.at(9)).isCloseTo(0.01f, org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(s.at(10)).isCloseTo(0.01f, org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(s.at(60)).isCloseTo(0.01f * (0.01f + 0.99f * 0.5f), org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(s.at(110)).isCloseTo(0.0001f, org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(s.getNewValue("bb", 11)).isCloseTo(0.001f, org.assertj.core.data.Offset.offset(1e-7f));
    }
}
