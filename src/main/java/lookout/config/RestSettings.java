package lookout.config;

/**
 * The optional operator REST door ({@code lookout.rest.*}).
 *
 * @param enabled off unless asked for
 * @param token   the bearer token every request must carry; empty = refused even when enabled
 */
public record RestSettings(boolean enabled, String token) {
}
