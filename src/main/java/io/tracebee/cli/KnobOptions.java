package io.tracebee.cli;

import io.tracebee.config.Knob;
import io.tracebee.config.ValueType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line's flags, one per {@link Knob}, made from the catalog when picocli builds the command
 * ({@code @Command(modelTransformer = KnobOptions.class)}), in the catalog's groups; and the values a parsed
 * command line gave them. Every flag takes text: the value is checked by {@code Settings}, under the same rule as
 * the environment's.
 */
public final class KnobOptions implements CommandLine.IModelTransformer {
    /** Wide enough for most flags with their value; longer ones put the description on the next line. */
    private static final int LONG_OPTIONS_WIDTH = 36;

    @Override
    public CommandSpec transform(CommandSpec spec) {
        for (Knob.Group group : Knob.Group.values()) {
            ArgGroupSpec.Builder section = ArgGroupSpec.builder().heading("%n" + escape(group.heading()) + ":%n")
                    .exclusive(false).validate(false).multiplicity("0..1");
            for (Knob knob : Knob.values()) {
                if (knob.group() == group && knob.flag() != null) {
                    section.addArg(option(knob));
                }
            }
            spec.addArgGroup(section.build());
        }
        spec.usageMessage().footer(footer()).longOptionsMaxWidth(LONG_OPTIONS_WIDTH);
        return spec;
    }

    /** The value of every knob whose flag the command line gives; a repeated flag's values joined with commas. */
    public static Map<Knob, String> flags(ParseResult parsed) {
        Map<Knob, String> out = new EnumMap<>(Knob.class);
        for (Knob knob : Knob.values()) {
            OptionSpec option = knob.flag() == null ? null : parsed.matchedOption(knob.flag());
            if (option != null) {
                Object v = option.getValue();
                out.put(knob, v instanceof List<?> list
                        ? list.stream().map(String::valueOf).collect(Collectors.joining(",")) : String.valueOf(v));
            }
        }
        return out;
    }

    private static OptionSpec option(Knob knob) {
        OptionSpec.Builder b = OptionSpec.builder(knob.flags().toArray(String[]::new))
                .paramLabel(knob.type().label())
                .description(escape(knob.description() + "."), escape(origin(knob)));
        if (knob.repeatable()) {
            b.type(List.class).auxiliaryTypes(String.class);
        } else {
            b.type(String.class);
        }
        if (knob.type() == ValueType.SWITCH || knob.type() == ValueType.BOOLEAN) {
            // given alone, a switch turns the thing on: --otlp-insecure, --db-query-text
            b.arity("0..1").fallbackValue(knob.type() == ValueType.SWITCH ? "on" : "true");
        }
        return b.build();
    }

    /** {@code OTEL_BSP_MAX_QUEUE_SIZE; default: 2048}, with the choices when the label does not show them. */
    private static String origin(Knob knob) {
        String s = knob.env() + "; default: " + knob.shownDefault();
        List<String> allowed = knob.type().allowed();
        if (!allowed.isEmpty() && !knob.type().label().contains(allowed.get(0))) {
            s += "; " + knob.type().expected();
        }
        return s;
    }

    /** Knobs without a flag (Quarkus reads them before the command line is parsed), then the REST API. */
    private static String[] footer() {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Read by Quarkus (environment, -D or application.properties; no flag):");
        int width = 0;
        for (Knob knob : Knob.values()) {
            if (knob.flag() == null) {
                width = Math.max(width, knob.env().length());
            }
        }
        for (Knob knob : Knob.values()) {
            if (knob.flag() == null) {
                lines.add(escape(String.format(Locale.ROOT, "  %-" + width + "s  %s; default: %s", knob.env(),
                        knob.description(), knob.shownDefault())));
            }
        }
        lines.add("");
        lines.add("A flag wins over the environment, which wins over application.properties (otel.service.name=...).");
        lines.add("An invalid value is reported and its default used, except where that would be unsafe.");
        lines.add("");
        lines.add("REST: POST/GET /targets, GET/DELETE /targets/{id}, GET /api/traces, /q/metrics, /q/health");
        return lines.toArray(String[]::new);
    }

    /** picocli reads descriptions as format strings. */
    private static String escape(String s) {
        return s.replace("%", "%%");
    }
}
