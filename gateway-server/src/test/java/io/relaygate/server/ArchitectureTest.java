package io.relaygate.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walls between packages and modules, checked on the compiled main classes of every module (the command that shows
 * them: {@code mvn -pl gateway-server -am verify -Dtest=ArchitectureTest -DskipITs}). See docs/architecture.md.
 */
class ArchitectureTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.relaygate");
    }

    @Test
    void theServersRolePackagesHaveNoCycle() {
        slices().matching("io.relaygate.server.(*)..")
                .should()
                .beFreeOfCycles()
                .because("dependencies between the server's packages point one way")
                .check(main);
    }

    @Test
    void onlyTheCommandLineDependsOnTheCommandLine() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.relaygate.server.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.relaygate.server.cli..")
                .check(main);
    }

    @Test
    void onlyTheCommandLineDependsOnTheBootstrap() {
        noClasses()
                .that()
                .resideOutsideOfPackages("io.relaygate.server", "io.relaygate.server.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.relaygate.server")
                .because("the bootstrap wires the role packages; none of them reaches back into it")
                .check(main);
    }

    @Test
    void theCodecKnowsNoChannelsNoStoreAndNoServer() {
        noClasses()
                .that()
                .resideInAPackage("io.relaygate.codec..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.netty.channel..",
                        "io.netty.handler..",
                        "io.relaygate.accounts..",
                        "io.relaygate.server..",
                        "io.relaygate.bench..")
                .check(main);
    }

    @Test
    void theAccountsKnowNoHttpAndNoCodec() {
        noClasses()
                .that()
                .resideInAPackage("io.relaygate.accounts..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.netty.handler.codec.http..", "io.relaygate.codec..", "io.relaygate.server..")
                .check(main);
    }

    @Test
    void theCoreDependsOnNoOtherModule() {
        noClasses()
                .that()
                .resideInAPackage("io.relaygate.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.relaygate.codec..",
                        "io.relaygate.accounts..",
                        "io.relaygate.server..",
                        "io.relaygate.bench..")
                .check(main);
    }
}
