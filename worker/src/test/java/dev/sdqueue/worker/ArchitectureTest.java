package dev.sdqueue.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker's layering, checked on its bytecode. {@code job} (the job lifecycle) and {@code routing} (the decision
 * table) are plain Java: testable without a broker or a container. Kafka lives in {@code kafka}, CDI wiring in
 * {@code app}, the model behind {@code generator}; the pipeline is used through its API package only.
 */
class ArchitectureTest {
    private static final String[] FRAMEWORKS = {"org.apache.kafka..", "io.smallrye..", "io.quarkus..", "io.minio..",
            "jakarta..", "org.eclipse.microprofile..", "io.micrometer..", "io.vertx..", "io.netty.."};
    private static JavaClasses worker;

    @BeforeAll
    static void importClasses() {
        worker = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.sdqueue.worker");
    }

    @Test
    void hasNoPackageCycles() {
        slices().matching("dev.sdqueue.worker.(*)..").should().beFreeOfCycles().check(worker);
        noClasses().that().resideInAPackage("dev.sdqueue.worker").should().dependOnClassesThat()
                .resideInAPackage("dev.sdqueue.worker.*..")
                .because("the root package (configuration) is below every other package").check(worker);
    }

    @Test
    void theJobLifecycleAndTheDecisionTableUseNoMessagingFrameworkOrStorageCode() {
        noClasses().that().resideInAnyPackage("dev.sdqueue.worker.job..", "dev.sdqueue.worker.routing..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .because("they are decided and tested as plain Java; the kafka and app packages adapt them")
                .check(worker);
    }

    @Test
    void onlyTheAdapterAndTheWiringKnowKafka() {
        noClasses().that().resideOutsideOfPackages("dev.sdqueue.worker.kafka..", "dev.sdqueue.worker.app..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..",
                        "io.smallrye.reactive.messaging..")
                .check(worker);
        noClasses().that().resideOutsideOfPackage("dev.sdqueue.worker.app..").should().dependOnClassesThat()
                .resideInAPackage("dev.sdqueue.worker.app..").because("nothing depends on the wiring").check(worker);
    }

    @Test
    void thePipelineIsUsedThroughItsApiPackageOnly() {
        classes().that().resideInAPackage("dev.sdqueue.worker..").should().onlyDependOnClassesThat()
                .resideOutsideOfPackage("dev.sdqueue.pipeline.*..")
                .because("dev.sdqueue.pipeline is the pipeline module's public API; its subpackages are internals")
                .check(worker);
    }
}
