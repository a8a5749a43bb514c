package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DropOldestQueueTest {

    @Test
    void shouldEvictTheOldestWhenFullAndCountIt() throws Exception {
        DropOldestQueue<Integer> queue = new DropOldestQueue<>(3);
        assertThat(queue.offer(1)).isNull();
        assertThat(queue.offer(2)).isNull();
        assertThat(queue.offer(3)).isNull();

        assertThat(queue.offer(4)).isEqualTo(1);
        assertThat(queue.offer(5)).isEqualTo(2);

        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.evicted()).isEqualTo(2);
        assertThat(queue.poll(0, TimeUnit.MILLISECONDS)).isEqualTo(3);
        assertThat(queue.poll(0, TimeUnit.MILLISECONDS)).isEqualTo(4);
        assertThat(queue.poll(0, TimeUnit.MILLISECONDS)).isEqualTo(5);
        assertThat(queue.poll(10, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void shouldNeverHoldMoreThanItsCapacityUnderAFastProducer() {
        DropOldestQueue<byte[]> queue = new DropOldestQueue<>(4);
        long dropped = 0;
        for (int i = 0; i < 100_000; i++) {
            if (queue.offer(new byte[1024]) != null) {
                dropped++;
            }
            assertThat(queue.size()).isLessThanOrEqualTo(4);
        }
        assertThat(dropped).isEqualTo(100_000 - 4).isEqualTo(queue.evicted());
    }

    @Test
    void shouldMakePutWaitForRoomInsteadOfDropping() throws Exception {
        DropOldestQueue<Integer> queue = new DropOldestQueue<>(1);
        queue.put(1);
        CountDownLatch putDone = new CountDownLatch(1);
        Thread producer = new Thread(() -> {
            try {
                queue.put(2);
                putDone.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();
        assertThat(putDone.await(200, TimeUnit.MILLISECONDS)).as("put must wait while full").isFalse();

        assertThat(queue.poll(1, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(putDone.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(queue.poll(1, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(queue.evicted()).isZero();
    }

    @Test
    void shouldWakeAWaitingPollWhenAnItemArrives() throws Exception {
        DropOldestQueue<String> queue = new DropOldestQueue<>(2);
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            queue.offer("frame");
        });
        later.start();
        assertThat(queue.poll(5, TimeUnit.SECONDS)).isEqualTo("frame");
    }
}
