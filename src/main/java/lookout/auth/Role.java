package lookout.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a user may do over HTTP. People's roles nest (an operator is also a viewer, an admin also an
 * operator); {@code metrics} is for a scraper (Prometheus) and grants nothing else. The names are
 * the role names HTTP permissions and {@code @RolesAllowed} check ({@code application.properties}).
 */
public enum Role {
    /** The live page, its state and its event stream: camera pictures. */
    VIEWER,
    /** A viewer who may also send commands through the REST control door ({@code /api/*}). */
    OPERATOR,
    /** An operator who may also read metrics; users themselves are managed with {@code lookout users} on the host. */
    ADMIN,
    /** {@code /q/metrics} on the management port only (Prometheus): no picture, no command. */
    METRICS;

    public static final String VIEWER_NAME = "viewer";
    public static final String OPERATOR_NAME = "operator";
    public static final String ADMIN_NAME = "admin";
    public static final String METRICS_NAME = "metrics";

    /** The name in the users file and in role checks. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This role and every role it includes. */
    public Set<String> grants() {
        Set<String> out = new TreeSet<>();
        switch (this) {
            case ADMIN -> out.addAll(Set.of(ADMIN_NAME, OPERATOR_NAME, VIEWER_NAME, METRICS_NAME));
            case OPERATOR -> out.addAll(Set.of(OPERATOR_NAME, VIEWER_NAME));
            case VIEWER -> out.add(VIEWER_NAME);
            case METRICS -> out.add(METRICS_NAME);
        }
        return out;
    }

    /** @throws IllegalArgumentException naming the roles there are */
    public static Role of(String label) {
        for (Role r : values()) {
            if (r.label().equals(label)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role \"" + label + "\" (" + String.join(", ",
                Arrays.stream(values()).map(Role::label).toList()) + ")");
    }
}
