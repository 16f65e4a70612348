package io.tracebee.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** container.id and k8s.pod.uid from /proc/<pid>/cgroup, as each runtime and cgroup driver writes it. */
class ProcessResourcesTest {
    private static final String ID = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00998877665544332211";
    private static final String UID = "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6";

    @Test
    void kubernetesWithTheSystemdDriverAndContainerd() {
        assertThat(ProcessResources.containerAttributes("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                + UID.replace('-', '_') + ".slice/cri-containerd-" + ID + ".scope\n"))
                .containsExactly(Map.entry("container.id", ID), Map.entry("k8s.pod.uid", UID));
    }

    @Test
    void kubernetesWithTheCgroupfsDriverSeenFromAnotherCgroupNamespace() {
        assertThat(ProcessResources.containerAttributes("0::/../../kubepods/besteffort/pod" + UID + "/" + ID + "\n"))
                .containsExactly(Map.entry("container.id", ID), Map.entry("k8s.pod.uid", UID));
    }

    @Test
    void dockerAndCgroupV1() {
        assertThat(ProcessResources.containerAttributes("0::/system.slice/docker-" + ID + ".scope\n"))
                .containsExactly(Map.entry("container.id", ID));
        assertThat(ProcessResources.containerAttributes("12:pids:/docker/" + ID + "\n11:cpu,cpuacct:/docker/" + ID + "\n"))
                .containsExactly(Map.entry("container.id", ID));
    }

    @Test
    void aProcessInNoContainerHasNeither() {
        assertThat(ProcessResources.containerAttributes("0::/user.slice/user-0.slice/session-3.scope\n")).isEmpty();
        assertThat(ProcessResources.containerAttributes("0::/\n")).isEmpty();
        assertThat(ProcessResources.containerAttributes(null)).isEmpty();
        assertThat(ProcessResources.containerAttributes("0::/system.slice/crio-conmon-" + ID + ".scope\n"))
                .as("CRI-O's monitor is not the container").isEmpty();
    }

    @Test
    void theOperatorsAttributesWinOverTheCgroups() {
        ProcessResources resources = new ProcessResources(Map.of("deployment.environment.name", "test",
                "container.id", "given"));
        var attrs = resources.forProcess((int) ProcessHandle.current().pid(), "/srv/app", null, "go1.26").attributes().asMap();
        assertThat(attrs).containsEntry("service.name", "app").containsEntry("deployment.environment.name", "test");
        assertThat(attrs).as("OTEL_RESOURCE_ATTRIBUTES over what the cgroup says").containsEntry("container.id", "given");
    }
}
