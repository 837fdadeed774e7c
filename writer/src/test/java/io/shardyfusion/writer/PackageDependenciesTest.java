package io.shardyfusion.writer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The writer module's packages depend one way: the writer on publish and sort, never back. */
class PackageDependenciesTest {
  private static final JavaClasses WRITER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.shardyfusion.writer");

  @Test
  void publishAndSortDoNotUseTheWriterPackage() {
    noClasses().that().resideInAnyPackage("io.shardyfusion.writer.publish..",
            "io.shardyfusion.writer.sort..")
        .should().dependOnClassesThat().resideInAPackage("io.shardyfusion.writer")
        .check(WRITER);
  }

  @Test
  void theWriterSubpackagesAreFreeOfCycles() {
    slices().matching("io.shardyfusion.writer.(*)..").should().beFreeOfCycles().check(WRITER);
  }
}
