package io.jvmbus.server;

/** The result of offering a channel: its handle, or a typed error. */
public sealed interface OfferResult {

    /**
     * Offered (or matched with a revoked or restored channel of the same key).
     *
     * @param offerId the handle for device completions and revoke
     */
    record Offered(OfferId offerId) implements OfferResult {}

    /**
     * Not offered.
     *
     * @param error why
     */
    record Rejected(ServerError error) implements OfferResult {}

    /**
     * The handle, for callers that know the offer is valid.
     *
     * @return the handle
     * @throws IllegalStateException if the offer was rejected
     */
    default OfferId orThrow() {
        return switch (this) {
            case Offered o -> o.offerId();
            case Rejected r -> throw new IllegalStateException("offer rejected: " + r.error());
        };
    }
}
