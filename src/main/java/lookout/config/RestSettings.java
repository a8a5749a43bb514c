package lookout.config;

/**
 * The optional operator REST door ({@code lookout.rest.*}): {@code POST /api/control}, {@code GET /api/models}.
 * Who may use it is the HTTP login's business (role operator), not a token of its own.
 *
 * @param enabled off unless asked for (the detector then also needs write access to lookout.control)
 */
public record RestSettings(boolean enabled) {
}
