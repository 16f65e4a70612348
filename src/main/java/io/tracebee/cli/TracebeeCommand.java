package io.tracebee.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import io.quarkus.runtime.Quarkus;
import io.tracebee.config.Knob;
import io.tracebee.config.Settings;
import io.tracebee.control.ProblemException;
import io.tracebee.control.TargetRequest;
import io.tracebee.control.TargetView;
import io.tracebee.pipeline.Agent;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;

/** The {@code tracebee} command: start the agent, attach the targets named on the command line, serve. */
@TopCommand
@Command(name = "tracebee", mixinStandardHelpOptions = true, version = "tracebee 0.1.0",
        sortOptions = false,
        abbreviateSynopsis = true,
        usageHelpWidth = 110,
        modelTransformer = KnobOptions.class,
        description = {
            "Traces unmodified Go services with eBPF uprobes and exports OpenTelemetry spans.",
            "",
            "Attach targets here, with the OTEL_GO_AUTO_TARGET_* environment variables, or at runtime:",
            "  curl -X POST localhost:8686/targets -H 'content-type: application/json' -d '{\"pid\": 1234}'",
            "",
            "With no exporter configured, spans print to the console and the last traces are shown at",
            "http://127.0.0.1:8686/ . Set OTEL_EXPORTER_OTLP_ENDPOINT (or --otlp-endpoint) to send them",
            "to an OpenTelemetry Collector over OTLP gRPC.",
            "",
            "Needs Linux 5.15+ with BTF, and root or CAP_SYS_ADMIN (uprobes need it since Linux 6.16), CAP_BPF,",
            "CAP_PERFMON, CAP_NET_ADMIN, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (README: Privileges).",
            ""})
public class TracebeeCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(TracebeeCommand.class);

    @Inject
    Agent agent;

    @Override
    public Integer call() {
        Settings settings = agent.settings();
        List<TargetRequest> requests;
        try {
            List<String> changed = settings.changed();
            LOG.infof("settings: %s", changed.isEmpty() ? "all at their defaults" : String.join(", ", changed));
            settings.unknownVariables()
                    .forEach(v -> LOG.warnf("%s is not a tracebee setting (see --help): ignored", v));
            requests = targets(settings);
            agent.beginStartup();
            agent.start();
        } catch (RuntimeException e) {
            LOG.errorf("tracebee cannot start: %s", e.getMessage());
            return 2;
        }
        for (TargetRequest r : requests) {
            try {
                TargetView v = agent.targets().attach(r, "command line");
                if (v.exeGlob() != null) {
                    LOG.infof("tracing binaries matching %s (%d attached now), target id %s", v.exeGlob(),
                            v.binaries().size(), v.id());
                } else {
                    LOG.infof("tracing %s (%s), target id %s", v.exe(), v.goVersion(), v.id());
                }
            } catch (ProblemException e) {
                LOG.errorf("cannot attach %s: %s", r.describe(), e.getMessage());
                return 2;
            }
        }
        agent.endStartup();
        Quarkus.waitForExit();
        return 0;
    }

    /** The targets to attach at start: those of the flags, or if there are none those of the variables. */
    static List<TargetRequest> targets(Settings settings) {
        boolean flagsOnly = settings.value(Knob.TARGET_PID).source() == Settings.Source.FLAG
                || settings.value(Knob.TARGET_EXE).source() == Settings.Source.FLAG
                || settings.value(Knob.TARGET_EXE_GLOB).source() == Settings.Source.FLAG;
        List<TargetRequest> requests = new ArrayList<>();
        targets(settings, Knob.TARGET_PID, flagsOnly)
                .forEach(pid -> requests.add(new TargetRequest(Integer.parseInt(pid), null, null)));
        targets(settings, Knob.TARGET_EXE, flagsOnly).forEach(exe -> requests.add(new TargetRequest(null, exe, null)));
        targets(settings, Knob.TARGET_EXE_GLOB, flagsOnly)
                .forEach(glob -> requests.add(new TargetRequest(null, null, glob, null)));
        return requests;
    }

    private static List<String> targets(Settings settings, Knob knob, boolean flagsOnly) {
        boolean fromFlag = settings.value(knob).source() == Settings.Source.FLAG;
        return flagsOnly && !fromFlag ? List.of() : settings.getList(knob);
    }
}
