package lookout.live;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The live page's recent frames, held only to pair a thumbnail with its detections record, bounded
 * in bytes: at most {@code perCameraFrames} frames and {@code perCameraBytes} per camera, and
 * {@code totalBytes} over all cameras (the oldest frame of all goes first). A frame larger than a
 * camera's share is not kept. Room is made before a frame is added, so the bytes held never exceed
 * the caps. Thread-safe.
 */
final class FrameBuffer {
    private record Entry(long id, String camera, long seq, byte[] bytes) {
    }

    private final int perCameraFrames;
    private final long perCameraBytes;
    private final long totalBytes;
    /** Every frame held, oldest first. */
    private final LinkedHashMap<Long, Entry> order = new LinkedHashMap<>();
    private final Map<String, ArrayDeque<Entry>> byCamera = new HashMap<>();
    private final Map<String, Long> cameraBytes = new HashMap<>();
    private long bytes;
    private long nextId;
    private long refused;

    FrameBuffer(int perCameraFrames, long perCameraBytes, long totalBytes) {
        this.perCameraFrames = perCameraFrames;
        this.perCameraBytes = perCameraBytes;
        this.totalBytes = totalBytes;
    }

    /** Keeps the frame, evicting older ones to make room; false (not kept) when it alone is over a camera's share. */
    synchronized boolean add(String camera, long seq, byte[] frame) {
        long size = frame.length;
        if (size > perCameraBytes || size > totalBytes) {
            refused++;
            return false;
        }
        ArrayDeque<Entry> mine = byCamera.computeIfAbsent(camera, c -> new ArrayDeque<>());
        while (!mine.isEmpty() && (mine.size() >= perCameraFrames || cameraBytes.getOrDefault(camera, 0L) + size > perCameraBytes)) {
            remove(mine.peekFirst());
        }
        while (bytes + size > totalBytes) {
            remove(order.values().iterator().next());
        }
        Entry e = new Entry(nextId++, camera, seq, frame);
        order.put(e.id(), e);
        byCamera.computeIfAbsent(camera, c -> new ArrayDeque<>()).addLast(e);
        cameraBytes.merge(camera, size, Long::sum);
        bytes += size;
        return true;
    }

    private void remove(Entry e) {
        order.remove(e.id());
        ArrayDeque<Entry> q = byCamera.get(e.camera());
        q.remove(e); // the camera's oldest in practice: O(1)
        long left = cameraBytes.merge(e.camera(), -(long) e.bytes().length, Long::sum);
        if (q.isEmpty()) {
            byCamera.remove(e.camera());
            cameraBytes.remove(e.camera());
        } else if (left < 0) {
            throw new IllegalStateException("frame buffer accounting of " + e.camera() + " went negative");
        }
        bytes -= e.bytes().length;
    }

    /** The frame of this camera with this sequence number, if still held (else null). */
    synchronized byte[] get(String camera, long seq) {
        ArrayDeque<Entry> q = byCamera.get(camera);
        if (q == null) {
            return null;
        }
        for (Iterator<Entry> it = q.descendingIterator(); it.hasNext();) {
            Entry e = it.next();
            if (e.seq() == seq) {
                return e.bytes();
            }
        }
        return null;
    }

    /** Bytes of frames held now. */
    synchronized long bytes() {
        return bytes;
    }

    synchronized int frames() {
        return order.size();
    }

    /** Bytes held for one camera. */
    synchronized long bytes(String camera) {
        return cameraBytes.getOrDefault(camera, 0L);
    }

    /** Frames not kept because one alone was larger than a camera's share. */
    synchronized long refused() {
        return refused;
    }

    long totalCap() {
        return totalBytes;
    }
}
