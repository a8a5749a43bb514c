package lookout.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameBufferTest {

    @Test
    void shouldKeepACamerasNewestFramesWithinItsCountAndBytes() {
        FrameBuffer b = new FrameBuffer(3, 1000, 10_000);
        for (long seq = 1; seq <= 5; seq++) {
            b.add("door", seq, new byte[100]);
        }
        assertThat(b.get("door", 2)).isNull();
        assertThat(b.get("door", 3)).isNotNull();
        assertThat(b.frames()).isEqualTo(3);
        b.add("door", 6, new byte[900]); // needs room: the older ones go until 900 fits in 1000
        assertThat(b.bytes("door")).isLessThanOrEqualTo(1000);
        assertThat(b.get("door", 6)).hasSize(900);
        assertThat(b.get("door", 5)).hasSize(100);
        assertThat(b.get("door", 4)).isNull();
    }

    @Test
    void shouldEvictTheOldestFrameOfAllCamerasToStayUnderTheTotal() {
        FrameBuffer b = new FrameBuffer(16, 600, 1000);
        b.add("a", 1, new byte[400]);
        b.add("b", 1, new byte[400]);
        b.add("c", 1, new byte[400]);
        assertThat(b.bytes()).isEqualTo(800);
        assertThat(b.get("a", 1)).isNull();
        assertThat(b.get("b", 1)).isNotNull();
        assertThat(b.get("c", 1)).isNotNull();
    }

    @Test
    void shouldNotKeepAFrameLargerThanACamerasShare() {
        FrameBuffer b = new FrameBuffer(16, 600, 1000);
        b.add("a", 1, new byte[500]);
        assertThat(b.add("a", 2, new byte[601])).isFalse();
        assertThat(b.get("a", 1)).isNotNull();
        assertThat(b.refused()).isEqualTo(1);
    }
}
