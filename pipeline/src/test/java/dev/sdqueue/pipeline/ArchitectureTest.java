package dev.sdqueue.pipeline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's layering, checked on its bytecode: it is a plain library (the JDK, ONNX Runtime's Java API and
 * Jackson for the model's JSON files), so a CLI, a benchmark or another host can run it without a container. A
 * Kafka, Quarkus, SmallRye, MicroProfile, Jakarta or S3 class anywhere in it, even fully qualified without an
 * import, fails the first rule.
 */
class ArchitectureTest {
    private static JavaClasses pipeline;

    @BeforeAll
    static void importClasses() {
        pipeline = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.sdqueue.pipeline");
    }

    @Test
    void dependsOnlyOnTheJdkOnnxRuntimeAndJackson() {
        classes().that().resideInAPackage("dev.sdqueue.pipeline..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.sdqueue.pipeline..", "java..",
                        "ai.onnxruntime..", "com.fasterxml.jackson..")
                .because("the pipeline is a plain library: no Kafka, Quarkus, SmallRye, MicroProfile, Jakarta or S3")
                .check(pipeline);
    }

    @Test
    void hasNoPackageCyclesBetweenItsParts() {
        slices().matching("dev.sdqueue.pipeline.(**)").should().beFreeOfCycles().check(pipeline);
    }

    @Test
    void tokenizerSchedulersAndPngStandAlone() {
        for (String leaf : new String[] {"tokenizer", "scheduler", "png"}) {
            classes().that().resideInAPackage("dev.sdqueue.pipeline." + leaf + "..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage("dev.sdqueue.pipeline." + leaf + "..",
                            "java..", "com.fasterxml.jackson..")
                    .check(pipeline);
        }
    }
}
