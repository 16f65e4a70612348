package io.tracebee.probe;

import org.jboss.logging.Logger;

/** Closing kernel resources (links, objects) on the way out, where a failure is worth a line and no more. */
final class Closing {
    private static final Logger LOG = Logger.getLogger(Closing.class);

    private Closing() {
    }

    /** Closes {@code resource} (nothing for null); a failure is logged with what was being closed. */
    static void quietly(AutoCloseable resource, String what) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warnf("closing %s failed: %s", what, e.toString());
        }
    }
}
