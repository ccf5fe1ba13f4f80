package io.jvmbus.client;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.message.ChannelMessage;
import java.util.Objects;

/**
 * How to open a channel: the ring sizes (each ring is one control page plus data pages; the guest&rarr;host ring comes
 * first in the ring GPADL), the target VP and the OPENCHANNEL user data.
 *
 * @param sendRingPages pages of the guest&rarr;host ring, control page included (at least 2)
 * @param receiveRingPages pages of the host&rarr;guest ring, control page included (at least 2)
 * @param targetVp the VP host interrupts go to
 * @param userData the 120 bytes of OPENCHANNEL user data
 */
public record OpenOptions(int sendRingPages, int receiveRingPages, int targetVp, Blob userData) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException for a ring under 2 pages or user data not 120 bytes
     */
    public OpenOptions {
        Objects.requireNonNull(userData, "userData");
        if (sendRingPages < 2 || receiveRingPages < 2) {
            throw new IllegalArgumentException("ring pages send=" + sendRingPages + " receive=" + receiveRingPages
                    + " (expected: >= 2 each, a control page and data)");
        }
        if (userData.length() != ChannelMessage.USER_DEFINED_SIZE) {
            throw new IllegalArgumentException("userData length=" + userData.length() + " (expected: 120)");
        }
    }

    /**
     * Rings of 8 pages each (28 KiB of data each way), VP 0, zero user data.
     *
     * @return the options
     */
    public static OpenOptions defaults() {
        return rings(8, 8);
    }

    /**
     * Rings of the given sizes, VP 0, zero user data.
     *
     * @param sendPages guest&rarr;host ring pages
     * @param receivePages host&rarr;guest ring pages
     * @return the options
     */
    public static OpenOptions rings(final int sendPages, final int receivePages) {
        return new OpenOptions(sendPages, receivePages, 0, Blob.zeros(ChannelMessage.USER_DEFINED_SIZE));
    }

    /**
     * The same options with another target VP.
     *
     * @param vp the VP
     * @return the options
     */
    public OpenOptions withTargetVp(final int vp) {
        return new OpenOptions(sendRingPages, receiveRingPages, vp, userData);
    }
}
