package io.tracebee.pipeline;

import io.tracebee.decode.EventDecoder;
import io.tracebee.probe.PerProcessMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Forgets what the agent holds for traced processes that are gone — their entries in the per-process BPF maps and
 * the decoder's open manual spans — so a process that exits or is killed mid-request leaves nothing behind.
 * Two ways in: the control plane reports the exit of a pid target at once ({@link #gone}); and a periodic sweep
 * finds processes that have entries in the maps but no {@code /proc/<pid>} any more — the processes of exe and
 * exe-glob targets, whose exits are not watched one by one. Spans of requests that never ended go with their
 * process.
 *
 * <p>The decoder is single-threaded: its part runs as a task on the pipeline thread.
 */
public final class ProcessStateJanitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ProcessStateJanitor.class);
    static final long SWEEP_SECONDS = 30;
    private static final Path PROC = Path.of("/proc");

    private final PerProcessMaps maps;
    private final EventDecoder decoder;
    private final Executor pipeline;
    private final boolean sweepable;
    private final LongAdder kernelPurged = new LongAdder();
    private ScheduledExecutorService timer;

    /**
     * @param pipeline the decoder's thread
     */
    public ProcessStateJanitor(PerProcessMaps maps, EventDecoder decoder, Executor pipeline) {
        this.maps = maps;
        this.decoder = decoder;
        this.pipeline = pipeline;
        this.sweepable = seesProbePids(PROC);
    }

    /** Sweeps every {@value #SWEEP_SECONDS} s on a daemon thread until closed; nothing when /proc cannot tell. */
    public synchronized void start() {
        if (!sweepable) {
            LOG.warn("/proc belongs to an outer pid namespace than the agent's: processes of exe targets that exit "
                    + "are not swept from the BPF maps (their entries age out of the LRU maps instead)");
            return;
        }
        if (timer == null) {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, "tracebee-janitor");
                thread.setDaemon(true);
                return thread;
            });
            t.scheduleWithFixedDelay(this::sweepQuietly, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
            timer = t;
        }
    }

    /**
     * Process pid is gone: deletes its entries from the per-process maps now and has the pipeline thread drop what
     * the decoder holds for it. Returns the kernel entries deleted.
     */
    public int gone(int pid) {
        return purge(pid, "exited");
    }

    /**
     * Purges every process that has entries in the per-process maps and no {@code /proc/<pid>}; returns how many
     * processes. Pid reuse leaves a dead process's entries to the LRU maps: a live process holds the number.
     */
    public int sweep() {
        if (!sweepable) {
            return 0;
        }
        int swept = 0;
        for (int pid : maps.pids()) {
            if (pid > 0 && !Files.exists(PROC.resolve(Integer.toString(pid)))) {
                purge(pid, "no longer in /proc");
                swept++;
            }
        }
        return swept;
    }

    /** Kernel map entries deleted so far. */
    public long kernelPurged() {
        return kernelPurged.sum();
    }

    /** Decoder entries dropped so far. */
    public long pipelinePurged() {
        return decoder.processStatePurged();
    }

    /** Entries of process pid left in the per-process maps, by map name. */
    public Map<String, Integer> kernelEntriesOf(int pid) {
        return maps.entriesOf(pid);
    }

    /** Entries the decoder holds for process pid, asked on the pipeline thread (waits up to 5 s). */
    public int pipelineEntriesOf(int pid) {
        try {
            return CompletableFuture.supplyAsync(() -> decoder.heldFor(pid), pipeline).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("asking the pipeline thread", e);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private int purge(int pid, String why) {
        long start = System.nanoTime();
        int kernel = maps.purge(pid);
        double millis = (System.nanoTime() - start) / 1e6;
        kernelPurged.add(kernel);
        LOG.infof("process %d %s: %d BPF map entries of it purged in %.2f ms", pid, why, kernel, millis);
        try {
            pipeline.execute(() -> {
                int held = decoder.forgetProcess(pid);
                if (held > 0) {
                    LOG.infof("process %d %s: %d open manual spans of it dropped", pid, why, held);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debugf("process %d: the pipeline is stopping, its decoder state goes with it", pid);
        }
        return kernel;
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warnf(e, "sweeping the state of exited processes failed");
        }
    }

    /**
     * Whether {@code /proc} numbers processes as the probes do — in the agent's own pid namespace (PidNamespace) —
     * which holds when it is that namespace's procfs, as in any container; not when it is an outer namespace's
     * (the agent's {@code NSpid} lists more than one id), where the maps' pids would be looked up in the wrong
     * numbering.
     */
    static boolean seesProbePids(Path proc) {
        try {
            return Files.readAllLines(proc.resolve("self/status")).stream()
                    .filter(l -> l.startsWith("NSpid:"))
                    .allMatch(l -> l.substring("NSpid:".length()).trim().split("\\s+").length == 1);
        } catch (IOException e) {
            return false;
        }
    }
}
