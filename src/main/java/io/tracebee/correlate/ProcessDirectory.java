package io.tracebee.correlate;

import io.tracebee.decode.ProcessEvent;
import io.tracebee.span.Resource;

/** Tells the correlate stage which targets are attached and what resource describes each process. */
public interface ProcessDirectory {
    /**
     * The resource of one process of an attached target, or null if the target is no longer attached.
     *
     * @param target the target id the kernel stamped into the event (the uprobe's cookie)
     */
    Resource resourceFor(long target, int pid);

    /** A process the control plane waits for exec'd or exited; called on the pipeline thread: must not block. */
    default void processEvent(ProcessEvent event) {
    }
}
