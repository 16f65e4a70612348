package io.tracebee.cli;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * The JDK 25 AOT cache's training start: {@code java -XX:AOTCacheOutput=app.aot -Dquarkus.appcds.generate=true -jar
 * quarkus-run.jar} starts Quarkus without running the command (no BPF, no privileges) and exits once it has started,
 * writing the cache on the way out. Quarkus exits by itself only when the build enabled its own AOT step (the `aot`
 * profile); docker/Dockerfile.jvm trains in its runtime stage instead, on the image's own JVM and files, and relies
 * on this.
 */
@Singleton
public class AotTraining {
    void onStart(@Observes StartupEvent event) {
        if (ApplicationLifecycleManager.isAppCDSGeneration()) {
            Quarkus.asyncExit();
        }
    }
}
