package io.jvmbus.host.control;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.Guid;
import java.util.Optional;
import java.util.OptionalLong;

/** One CONTROL request, parsed and range-checked by {@link ControlCodec}. */
public sealed interface ControlRequest {

    /**
     * {@code offer}: offer a channel backed by a device of this server.
     *
     * @param name the channel's host-side name (unique in the session)
     * @param device the device kind ({@code echo}, {@code manual}, {@code pipe})
     * @param interfaceId the interface GUID
     * @param instanceId the instance GUID
     * @param flags the offer flags (u16)
     * @param mmioMegabytes MMIO space in MiB (u16)
     * @param userDefined the offer's user-defined bytes, at most 120
     * @param subchannels subchannels to offer once the primary channel is open
     * @param mnf whether the channel uses monitored notifications
     * @param order the offer order, if given
     * @param endpoint the host endpoint of a {@code pipe} device ({@code unix:PATH} or {@code tcp:HOST:PORT}), if given
     */
    record Offer(
            String name,
            String device,
            Guid interfaceId,
            Guid instanceId,
            int flags,
            int mmioMegabytes,
            Blob userDefined,
            int subchannels,
            boolean mnf,
            OptionalLong order,
            Optional<String> endpoint)
            implements ControlRequest {}

    /**
     * {@code revoke}: revoke a channel.
     *
     * @param name the channel's name
     */
    record Revoke(String name) implements ControlRequest {}

    /**
     * {@code complete}: complete the oldest pending request of a {@code manual} device.
     *
     * @param name the channel's name
     * @param request which request
     * @param status the NT status (0 success)
     * @param gpadl the GPADL id, for {@code gpadl} and {@code teardown}
     */
    record Complete(String name, RequestKind request, int status, OptionalLong gpadl) implements ControlRequest {}

    /**
     * {@code inspect}: the session's state; with {@code vm}, the state of other sessions of this server whose HELLO
     * named that VM (an extension; see the README).
     *
     * @param vm the VM name to look up, or empty for this session
     */
    record Inspect(Optional<String> vm) implements ControlRequest {}

    /** The requests a {@code manual} device waits on. */
    enum RequestKind {
        /** Open a channel. */
        OPEN("open"),
        /** Close a channel. */
        CLOSE("close"),
        /** Create a GPADL. */
        GPADL("gpadl"),
        /** Tear a GPADL down. */
        TEARDOWN("teardown"),
        /** Retarget a channel's VP. */
        MODIFY("modify");

        private final String wire;

        RequestKind(final String wire) {
            this.wire = wire;
        }

        /**
         * The JSON spelling.
         *
         * @return e.g. {@code "teardown"}
         */
        public String wire() {
            return wire;
        }

        /**
         * Looks the JSON spelling up.
         *
         * @param text the spelling
         * @return the kind, or empty
         */
        public static Optional<RequestKind> of(final String text) {
            for (final RequestKind k : values()) {
                if (k.wire.equals(text)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }
}
