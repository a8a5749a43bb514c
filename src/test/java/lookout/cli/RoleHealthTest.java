package lookout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class RoleHealthTest {
    static RoleHealth health(SimpleMeterRegistry meters) {
        RoleHealth h = new RoleHealth();
        h.meters = meters;
        return h;
    }

    @Test
    void givenAProcessWhoseRoleHasNotRegisteredYetWhenProbedThenItIsAliveButNotReady() {
        RoleHealth h = health(new SimpleMeterRegistry());
        assertThat(h.alive().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(h.ready().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    }

    @Test
    void givenARoleThatBecomesReadyWhenProbedThenReadinessAndItsGaugeFollowIt() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RoleHealth h = health(meters);
        AtomicBoolean ready = new AtomicBoolean(false);
        h.register("live", () -> true, ready::get);
        assertThat(h.ready().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(meters.get("lookout.role.ready").tag("lookout_role", "live").gauge().value()).isEqualTo(0.0);
        ready.set(true);
        assertThat(h.ready().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(meters.get("lookout.role.ready").tag("lookout_role", "live").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void givenTwoRolesWhenOneDiesThenTheProcessIsNotAliveAndSaysWhich() {
        RoleHealth h = health(new SimpleMeterRegistry());
        AtomicBoolean trainerAlive = new AtomicBoolean(true);
        h.register("broker", () -> true, () -> true);
        h.register("trainer", trainerAlive::get, () -> true);
        assertThat(h.alive().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        trainerAlive.set(false);
        HealthCheckResponse r = h.alive();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(r.getData().orElseThrow()).containsEntry("trainer", "dead").containsEntry("broker", "alive");
    }
}
