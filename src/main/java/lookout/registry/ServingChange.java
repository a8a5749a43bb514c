package lookout.registry;

/** Validates a promote or rollback against the registry and builds the new serving pointer. */
public final class ServingChange {
    private ServingChange() {
    }

    /**
     * Where a pointer moves: the general one (camera null) or a camera's. A null pointer returns the
     * camera to the general model (its pointer's tombstone).
     */
    public record Move(String camera, ServingPointer pointer) {
        /** One line for the operator: what now serves. */
        public String describe() {
            String who = camera == null ? "" : "camera " + camera + ": ";
            return pointer == null ? who + "follows the general serving version again"
                    : who + "serving version " + pointer.version() + " (" + pointer.reason() + ", previous "
                            + pointer.previous() + ")";
        }
    }

    /**
     * @param version target version; for a rollback null means "the one served before"
     * @param reason  promote or rollback
     * @throws IllegalArgumentException when the target is not a published version
     */
    public static ServingPointer resolve(RegistryState state, String version, String reason) {
        return resolve(state, null, version, reason).pointer();
    }

    /**
     * A move of the general pointer (camera null) or of a camera's. A camera's rollback steps back to
     * its earlier model of its own, or with none returns it to the general model.
     *
     * @throws IllegalArgumentException when the target is not a published version, or nothing is to roll back
     */
    public static Move resolve(RegistryState state, String camera, String version, String reason) {
        ServingPointer current = camera == null ? state.serving() : state.serving(camera);
        String target = version;
        if (target == null && "rollback".equals(reason)) {
            if (camera != null && current != null && current.previous() == null) {
                return new Move(camera, null);
            }
            if (current == null || current.previous() == null) {
                throw new IllegalArgumentException(camera == null
                        ? "nothing to roll back to: no previous serving version recorded"
                        : "nothing to roll back to: camera " + camera + " has no model of its own");
            }
            target = current.previous();
        }
        if (target == null) {
            throw new IllegalArgumentException(reason + " needs a version");
        }
        if (state.manifest(target) == null) {
            throw new IllegalArgumentException("version " + target + " is not published (have "
                    + state.versions().stream().map(ModelManifest::version).toList() + ")");
        }
        // a camera's rollback keeps no previous: its next rollback returns it to the general model instead of
        // swinging back, so rolling a camera back always ends on the general model
        String previous = current == null || camera != null && "rollback".equals(reason) ? null : current.version();
        return new Move(camera, new ServingPointer(target, previous, reason, System.currentTimeMillis()));
    }
}
