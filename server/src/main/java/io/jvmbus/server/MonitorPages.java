package io.jvmbus.server;

/**
 * The two MNF monitor pages of a connection.
 *
 * @param parentToChild the page the host would write (this server never sends monitored interrupts)
 * @param childToParent the page the guest writes to signal the host
 * @param serverAllocated whether the server (not the guest) supplied them (feature 0x40)
 */
public record MonitorPages(long parentToChild, long childToParent, boolean serverAllocated) {

    /**
     * Guest-supplied pages.
     *
     * @param parentToChild host-written page GPA
     * @param childToParent guest-written page GPA
     * @return the pages
     */
    public static MonitorPages guest(final long parentToChild, final long childToParent) {
        return new MonitorPages(parentToChild, childToParent, false);
    }

    /**
     * Server-allocated pages.
     *
     * @param parentToChild host-written page GPA
     * @param childToParent guest-written page GPA
     * @return the pages
     */
    public static MonitorPages server(final long parentToChild, final long childToParent) {
        return new MonitorPages(parentToChild, childToParent, true);
    }
}
