package lookout.config;

/**
 * What {@code lookout.frames.dlq} keeps of a frame it refuses ({@code lookout.dlq.*}, serve and demo).
 *
 * @param keepBytes copies of the refused frames' bytes also go to {@code lookout.frames.dlq.bytes}
 *                  (kept {@code lookout.topics.frames-dlq-bytes.retention}); off: the dead letter holds
 *                  metadata, reason, size and a SHA-256 of the bytes only (pictures of people are
 *                  personal data, and a frame answered {@code inference-failed} is usually a good picture)
 */
public record DeadLetterSettings(boolean keepBytes) {
}
