package io.jvmbus.server;

import java.util.List;

/** The answer to a device claiming its restored channel ({@link ChannelServer#restoreChannel}). */
public sealed interface ChannelClaim {

    /**
     * Claimed. Before this returned, the core re-sent (through {@link ServerEffects#deviceRequest}) every request
     * the device still owes an answer to: GPADL creations and teardowns, then the open or close, then a retarget.
     *
     * @param open the parameters of the open the device holds (when it said it is open and the channel still is, or
     *     was opened by this claim), else {@code null}
     * @param gpadls every complete GPADL of the channel, with its state (the device must hold the accepted and
     *     tearing-down ones; offered ones were re-sent to it)
     */
    record Claimed(OpenParams open, List<RestoredGpadl> gpadls) implements ChannelClaim {
        /** Copies the list. */
        public Claimed {
            gpadls = List.copyOf(gpadls);
        }
    }

    /**
     * Refused; nothing changed.
     *
     * @param error why
     */
    record Rejected(RestoreError error) implements ChannelClaim {}

    /**
     * Whether the claim succeeded.
     *
     * @return true for {@link Claimed}
     */
    default boolean isClaimed() {
        return this instanceof Claimed;
    }

    /**
     * The error kind, or {@code null} when claimed.
     *
     * @return the kind
     */
    default RestoreErrorKind errorKind() {
        return this instanceof Rejected r ? r.error().kind() : null;
    }
}
