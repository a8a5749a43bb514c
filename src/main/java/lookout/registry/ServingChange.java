package lookout.registry;

/** Validates a promote or rollback against the registry and builds the new serving pointer. */
public final class ServingChange {
    private ServingChange() {
    }

    /**
     * @param version target version; for a rollback null means "the one served before"
     * @param reason  promote or rollback
     * @throws IllegalArgumentException when the target is not a published version
     */
    public static ServingPointer resolve(RegistryState state, String version, String reason) {
        ServingPointer current = state.serving();
        String target = version;
        if (target == null && "rollback".equals(reason)) {
            if (current == null || current.previous() == null) {
                throw new IllegalArgumentException("nothing to roll back to: no previous serving version recorded");
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
        return new ServingPointer(target, current == null ? null : current.version(), reason, System.currentTimeMillis());
    }
}
