package lookout.config;

import java.time.Duration;

/**
 * How a long-lived role sits in its consumer group ({@code lookout.instance-id},
 * {@code lookout.group.session-timeout}).
 *
 * @param instanceId     this replica's stable name: the static group member id of its consumers
 *                       ({@code group.instance.id}), its transactional ids and the source of its
 *                       events; a restarted replica with the same name takes its partitions back at
 *                       once instead of waiting out the dead member's session
 * @param sessionTimeout how long the group waits for a silent member that does not come back
 */
public record GroupSettings(String instanceId, Duration sessionTimeout) {
}
