package io.jvmbus.host.session;

/** Where a session's SAVED blobs also go (besides the SAVED frame), e.g. a directory of files. */
@FunctionalInterface
public interface SavedStateSink {

    /** Keeps nothing. */
    SavedStateSink NONE = (vmName, blob) -> {};

    /**
     * A session answered SAVE. Called on the session's worker after SAVED was sent; must not throw (it logs its own
     * failures).
     *
     * @param vmName the session's VM name (from HELLO)
     * @param blob the SAVED bytes
     */
    void saved(String vmName, byte[] blob);
}
