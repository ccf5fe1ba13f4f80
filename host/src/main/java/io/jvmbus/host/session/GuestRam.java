package io.jvmbus.host.session;

import io.jvmbus.memory.GuestMemory;

/** The guest RAM a session mapped at HELLO; closing it unmaps it. */
public interface GuestRam extends AutoCloseable {

    /**
     * The RAM as the data plane sees it.
     *
     * @return guest memory (guest physical address = offset)
     */
    GuestMemory memory();

    /** Unmaps the RAM; the session touches it no more. */
    @Override
    void close();
}
