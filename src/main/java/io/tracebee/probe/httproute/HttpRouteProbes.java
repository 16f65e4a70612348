package io.tracebee.probe.httproute;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.util.List;

/**
 * Framework routers that give the net/http server span its {@code http.route}
 * ({@code src/main/bpf/gin_routes.bpf.c}, {@code gorilla_routes.bpf.c}). One object per framework, so
 * a binary gets exactly the ones it links. Their struct offsets come from the target's DWARF, else
 * from the module offsets table by the framework's version.
 */
public final class HttpRouteProbes {
    private HttpRouteProbes() {
    }

    private static final String GIN_MODULE = "github.com/gin-gonic/gin";
    private static final String GORILLA_MODULE = "github.com/gorilla/mux";

    /** gin v1.5.0+ (Context.fullPath appeared there): entry and RET of the engine's routing call. */
    public static final ProbeSpec GIN = new ProbeSpec(
            "gin",
            "gin_routes",
            GIN_MODULE,
            List.of(new UprobeSpec(GIN_MODULE + ".(*Engine).handleHTTPRequest",
                    "uprobe_gin_handle_http_request", "uprobe_gin_handle_http_request_return")),
            List.of(GoRuntimeProbes.GOID,
                    new OffsetSpec("off_context_full_path", GIN_MODULE + ".Context", "fullPath", null)));

    /** gorilla/mux v1.7.0+, where setMatch has a value receiver. */
    public static final ProbeSpec GORILLA = gorilla(GORILLA_MODULE + ".routeRegexpGroup.setMatch",
            "uprobe_mux_set_match");

    /**
     * gorilla/mux up to v1.6.2, where setMatch has a pointer receiver. A binary has one of the two
     * symbols, so the other spec is left out as "not linked" rather than reported as skipped.
     */
    public static final ProbeSpec GORILLA_POINTER_RECEIVER = gorilla(
            GORILLA_MODULE + ".(*routeRegexpGroup).setMatch", "uprobe_mux_set_match_pointer_receiver");

    private static ProbeSpec gorilla(String setMatch, String program) {
        return new ProbeSpec(
                "gorilla/mux",
                "gorilla_routes",
                GORILLA_MODULE,
                List.of(new UprobeSpec(setMatch, program, null)),
                List.of(GoRuntimeProbes.GOID,
                        new OffsetSpec("off_group_path", GORILLA_MODULE + ".routeRegexpGroup", "path", null),
                        new OffsetSpec("off_regexp_template", GORILLA_MODULE + ".routeRegexp", "template", null)));
    }
}
