package io.tracebee.probe.goredis;

import io.tracebee.probe.ProbeSpec;
import io.tracebee.probe.ProbeSpec.OffsetSpec;
import io.tracebee.probe.ProbeSpec.UprobeSpec;
import io.tracebee.probe.goruntime.GoRuntimeProbes;
import java.util.List;

/** The go-redis v9 client probe ({@code src/main/bpf/go_redis.bpf.c}): commands and pipelines. */
public final class GoRedisProbes {
    private GoRedisProbes() {
    }

    static final String MODULE = "github.com/redis/go-redis/v9";
    private static final String PKG = MODULE + ".";

    public static final ProbeSpec CLIENT = new ProbeSpec(
            "go-redis",
            "go_redis",
            MODULE,
            // process is inlined away from v9.23 on, leaving processStartingAt with the same leading
            // arguments; each is optional, and where both exist the inner hit is the same call
            List.of(new UprobeSpec(PKG + "(*baseClient).process", "uprobe_redis_process", "uprobe_redis_process_return", true),
                    new UprobeSpec(PKG + "(*baseClient).processStartingAt", "uprobe_redis_process",
                            "uprobe_redis_process_return", true),
                    new UprobeSpec(PKG + "(*baseClient).processPipeline", "uprobe_redis_pipeline",
                            "uprobe_redis_pipeline_return", true),
                    new UprobeSpec(PKG + "(*baseClient).processTxPipeline", "uprobe_redis_tx_pipeline",
                            "uprobe_redis_pipeline_return", true)),
            List.of(GoRuntimeProbes.GOID,
                    new OffsetSpec("off_cmd_args", PKG + "baseCmd", "args", null),
                    new OffsetSpec("off_cmd_key_pos", PKG + "baseCmd", "keyPos", "has_cmd_key_pos"),
                    new OffsetSpec("off_client_opt", PKG + "baseClient", "opt", "has_client_addr"),
                    new OffsetSpec("off_opt_addr", PKG + "Options", "Addr", "has_client_addr"),
                    new OffsetSpec("off_opt_db", PKG + "Options", "DB", "has_client_addr"),
                    new OffsetSpec("off_type_size", "internal/abi.Type", "Size_", null),
                    new OffsetSpec("off_type_kind", "internal/abi.Type", "Kind_", null),
                    new OffsetSpec("off_slice_elem", "internal/abi.SliceType", "Elem", null),
                    new OffsetSpec("off_itab_type", "internal/abi.ITab", "Type", null)));
}
