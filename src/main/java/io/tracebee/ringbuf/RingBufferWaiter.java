package io.tracebee.ringbuf;

/** How the reader sleeps until the producer has written something, and how shutdown wakes it. */
public interface RingBufferWaiter {
    /** Returns when data may be available, after {@link #wakeup()}, or after timeoutMillis (-1 = no timeout). */
    void await(int timeoutMillis);

    /** Makes a current or the next {@link #await} return promptly; callable from any thread. */
    void wakeup();
}
