package io.jvmbus.server;

import io.jvmbus.protocol.Guid;
import java.util.Objects;

/**
 * An INITIATE_CONTACT after the version-dependent fields were interpreted (reference §2.3 step 1). Kept as data: it
 * is the payload of a queued reconnect, and what a server for another VTL receives when forwarded.
 *
 * @param versionRequested the requested version word (not necessarily a known version)
 * @param targetMessageVp the VP for host messages (0 below Win8.1)
 * @param monitorPages the requested monitor pages
 * @param targetSint the SINT for host messages (2 unless multiclient and 5.0+)
 * @param targetVtl the VTL (0 unless multiclient and 5.1+)
 * @param featureFlags requested Copper feature flags (0 below Copper)
 * @param interruptPage the interrupt page GPA below Win8, else 0
 * @param clientId the client GUID (zero unless feature 0x8 was requested with the 56-byte form)
 * @param trusted whether the message arrived on the trusted path
 */
public record InitiateContactRequest(
        int versionRequested,
        int targetMessageVp,
        MonitorPageRequest monitorPages,
        int targetSint,
        int targetVtl,
        int featureFlags,
        long interruptPage,
        Guid clientId,
        boolean trusted) {

    /** Validates the fields. */
    public InitiateContactRequest {
        Objects.requireNonNull(monitorPages, "monitorPages");
        Objects.requireNonNull(clientId, "clientId");
    }

    /** The monitor pages an INITIATE_CONTACT asks for. */
    public sealed interface MonitorPageRequest {
        /** Both GPAs zero: no monitor pages. */
        record None() implements MonitorPageRequest {}

        /**
         * Both GPAs non-zero.
         *
         * @param parentToChild the host-written page
         * @param childToParent the guest-written page
         */
        record Some(long parentToChild, long childToParent) implements MonitorPageRequest {}

        /** Exactly one GPA zero: the connection fails. */
        record Invalid() implements MonitorPageRequest {}

        /**
         * Classifies two GPAs.
         *
         * @param parentToChild the host-written page
         * @param childToParent the guest-written page
         * @return None, Some or Invalid
         */
        static MonitorPageRequest of(final long parentToChild, final long childToParent) {
            if ((parentToChild == 0) != (childToParent == 0)) {
                return new Invalid();
            }
            return parentToChild == 0 ? new None() : new Some(parentToChild, childToParent);
        }
    }
}
