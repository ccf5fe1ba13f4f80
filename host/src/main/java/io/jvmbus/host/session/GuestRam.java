package io.jvmbus.host.session;

/** The guest RAM a session mapped at HELLO; closing it unmaps it. */
public interface GuestRam extends AutoCloseable {

    /**
     * Bytes of guest physical address space mapped.
     *
     * @return HELLO's {@code ram_bytes}
     */
    long size();

    /** Unmaps the RAM; the session touches it no more. */
    @Override
    void close();
}
