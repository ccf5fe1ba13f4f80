package io.jvmbus.server;

/** The result of {@link ChannelServer#restore}: restored, or refused with the server left exactly as it was. */
public sealed interface RestoreResult {

    /**
     * Restored. Devices now claim their channels ({@link ChannelServer#restoreChannel}), then the host calls {@link
     * ChannelServer#revokeUnclaimedChannels()}.
     *
     * @param formatVersion the blob's format version (0 when restored from a decoded state)
     * @param channels the channels restored
     * @param awaitingOffer how many of them no device has offered yet
     * @param gpadls the GPADLs restored
     * @param messages the queued messages restored
     */
    record Restored(int formatVersion, int channels, int awaitingOffer, int gpadls, int messages)
            implements RestoreResult {}

    /**
     * Refused; nothing changed.
     *
     * @param error why
     */
    record Failed(RestoreError error) implements RestoreResult {}

    /**
     * Whether the restore happened.
     *
     * @return true for {@link Restored}
     */
    default boolean isRestored() {
        return this instanceof Restored;
    }

    /**
     * The error kind, or {@code null} when restored.
     *
     * @return the kind
     */
    default RestoreErrorKind errorKind() {
        return this instanceof Failed f ? f.error().kind() : null;
    }
}
