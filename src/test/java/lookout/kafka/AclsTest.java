package lookout.kafka;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import lookout.kafka.Acls.Deployment;
import lookout.kafka.Acls.Grant;
import lookout.kafka.Acls.Role;

class AclsTest {
    static final Deployment DEFAULTS = new Deployment("lookout-detector", false, true);

    /** The operations a role has on one literal topic (none when the table gives it nothing there). */
    static Set<AclOperation> on(Role role, String topic, Deployment d) {
        Set<AclOperation> ops = EnumSet.noneOf(AclOperation.class);
        for (Grant g : Acls.grants(role, d)) {
            boolean covers = g.type() == ResourceType.TOPIC && (g.pattern() == PatternType.LITERAL ? g.name().equals(topic)
                    : topic.startsWith(g.name()));
            if (covers) {
                ops.addAll(g.operations());
            }
        }
        return ops;
    }

    static List<String> contractTopics() {
        List<String> all = new ArrayList<>(Topics.DETECTOR);
        all.addAll(Topics.LOOP);
        return all;
    }

    @Test
    void shouldLetACameraWriteFramesAndNothingElse() {
        List<Grant> grants = Acls.grants(Role.CAMERA, DEFAULTS);
        assertThat(grants).singleElement().satisfies(g -> {
            assertThat(g.type()).isEqualTo(ResourceType.TOPIC);
            assertThat(g.name()).isEqualTo(Topics.FRAMES);
            assertThat(g.pattern()).isEqualTo(PatternType.LITERAL);
            assertThat(g.operations()).containsExactlyInAnyOrder(WRITE, DESCRIBE, DESCRIBE_CONFIGS);
        });
        for (String topic : contractTopics()) {
            if (!topic.equals(Topics.FRAMES)) {
                assertThat(on(Role.CAMERA, topic, DEFAULTS)).as(topic).isEmpty();
            }
        }
    }

    @Test
    void shouldLetOnlyTheTrainerAndThePublisherWriteTheRegistry() {
        // whoever writes lookout.models decides what code runs on every detector
        for (Role role : Role.values()) {
            boolean writes = on(role, Topics.MODELS, DEFAULTS).contains(WRITE);
            assertThat(writes).as(role.id()).isEqualTo(role == Role.TRAINER || role == Role.PUBLISHER);
        }
    }

    @Test
    void shouldLetNoRoleButTheAdminCreateAContractTopic() {
        for (Role role : Role.values()) {
            for (String topic : contractTopics()) {
                assertThat(on(role, topic, DEFAULTS).contains(CREATE)).as(role.id() + " " + topic)
                        .isEqualTo(role == Role.ADMIN);
            }
        }
    }

    @Test
    void shouldGiveEveryContractTopicAWriterAndNameOnlyTopicsOfTheRegistry() {
        for (String topic : contractTopics()) {
            assertThat(EnumSet.allOf(Role.class)).as(topic).anyMatch(r -> on(r, topic, DEFAULTS).contains(WRITE));
        }
        for (Role role : Role.values()) {
            for (Grant g : Acls.grants(role, DEFAULTS)) {
                if (g.type() == ResourceType.TOPIC && g.pattern() == PatternType.LITERAL) {
                    assertThat(contractTopics()).as(role.id()).contains(g.name());
                }
                assertThat(g.why()).as(role.id() + " " + g.name()).isNotBlank();
            }
        }
    }

    @Test
    void shouldScopeTheDetectorsGroupInternalTopicsAndTransactionsToItsApplicationId() {
        Deployment d = new Deployment("site-7-detector", false, true);
        List<Grant> grants = Acls.grants(Role.DETECTOR, d);
        assertThat(grants).anySatisfy(g -> {
            assertThat(g.type()).isEqualTo(ResourceType.GROUP);
            assertThat(g.name()).isEqualTo("site-7-detector");
            assertThat(g.pattern()).isEqualTo(PatternType.LITERAL);
        });
        assertThat(grants).anySatisfy(g -> {
            assertThat(g.type()).isEqualTo(ResourceType.TRANSACTIONAL_ID);
            assertThat(g.name()).isEqualTo("site-7-detector-");
            assertThat(g.pattern()).isEqualTo(PatternType.PREFIXED);
        });
        assertThat(on(Role.DETECTOR, "site-7-detector-tracker-store-changelog", d)).contains(CREATE, READ, WRITE);
        // its prefix does not reach the contract's topics
        assertThat(on(Role.DETECTOR, Topics.LABELS, d)).isEmpty();
    }

    @Test
    void shouldGiveTheDetectorControlWritesOnlyWithTheRestDoorAndDetectionReadsOnlyWithTheLivePage() {
        assertThat(on(Role.DETECTOR, Topics.CONTROL, DEFAULTS)).doesNotContain(WRITE).contains(READ);
        assertThat(on(Role.DETECTOR, Topics.CONTROL, new Deployment("lookout-detector", true, true))).contains(WRITE);
        assertThat(on(Role.DETECTOR, Topics.DETECTIONS, DEFAULTS)).contains(READ, WRITE);
        assertThat(on(Role.DETECTOR, Topics.DETECTIONS, new Deployment("lookout-detector", false, false)))
                .doesNotContain(READ).contains(WRITE);
    }

    @Test
    void shouldGrantTheTrainerItsGroupAndOnlyItsOwnTransactionalIds() {
        List<Grant> grants = Acls.grants(Role.TRAINER, DEFAULTS);
        assertThat(grants).anyMatch(g -> g.type() == ResourceType.GROUP && g.name().equals(Groups.TRAINER));
        assertThat(grants).filteredOn(g -> g.type() == ResourceType.TRANSACTIONAL_ID).singleElement()
                .satisfies(g -> assertThat(Groups.trainerTransactionalId("pod-0")).startsWith(g.name()));
        assertThat(Groups.streamsPrefix("lookout-detector")).doesNotStartWith(Groups.TRAINER_TRANSACTIONS_PREFIX);
    }

    @Test
    void shouldKeepTheLivePageToReadingFramesAndDetections() {
        assertThat(Acls.grants(Role.LIVE, DEFAULTS)).allSatisfy(g -> {
            assertThat(g.type()).isEqualTo(ResourceType.TOPIC);
            assertThat(g.operations()).containsExactlyInAnyOrder(READ, DESCRIBE);
        }).extracting(Grant::name).containsExactlyInAnyOrder(Topics.FRAMES, Topics.DETECTIONS);
    }

    @Test
    void shouldBindEveryOperationOfEveryGrantToTheUsersPrincipal() {
        for (Role role : Role.values()) {
            List<AclBinding> bindings = Acls.bindings(role, "u-" + role.id(), DEFAULTS);
            int ops = Acls.grants(role, DEFAULTS).stream().mapToInt(g -> g.operations().size()).sum();
            assertThat(bindings).hasSize(ops).allSatisfy(b -> {
                assertThat(b.entry().principal()).isEqualTo("User:u-" + role.id());
                assertThat(b.entry().host()).isEqualTo("*");
            });
        }
    }

    @Test
    void shouldGiveEachCameraUserTheCamerasGrantsUnderItsOwnName() {
        List<AclBinding> all = AclsCommand.bindings(DEFAULTS, Map.of(Role.DETECTOR, "det-a"), List.of("cam-door", "cam-hall"));
        assertThat(all).anyMatch(b -> b.entry().principal().equals("User:cam-door"))
                .anyMatch(b -> b.entry().principal().equals("User:cam-hall"))
                .anyMatch(b -> b.entry().principal().equals("User:det-a"))
                .noneMatch(b -> b.entry().principal().equals("User:" + Role.CAMERA.user()))
                .noneMatch(b -> b.entry().principal().equals("User:" + Role.DETECTOR.user()));
    }

    @Test
    void shouldNameTheRolesAnOperatorMayRebindAndRefuseOthers() {
        assertThat(AclsCommand.role("detector")).isEqualTo(Role.DETECTOR);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AclsCommand.role("bogus"))
                .hasMessageContaining("unknown role bogus").hasMessageContaining("camera");
    }

    @Test
    void shouldSpellOperationsAsStrimziDoes() {
        assertThat(AclRender.strimziOperation(WRITE)).isEqualTo("Write");
        assertThat(AclRender.strimziOperation(DESCRIBE_CONFIGS)).isEqualTo("DescribeConfigs");
        assertThat(AclRender.strimziOperation(AclOperation.IDEMPOTENT_WRITE)).isEqualTo("IdempotentWrite");
    }
}
