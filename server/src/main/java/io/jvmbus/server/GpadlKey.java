package io.jvmbus.server;

/**
 * A GPADL's identity inside the core: GPADL ids are only unique per channel (reserved channels may reuse an id the
 * current client also uses). Ordered by owner, then GPADL id as an unsigned number.
 *
 * @param owner the channel's offer
 * @param gpadlId the guest's id
 */
record GpadlKey(OfferId owner, int gpadlId) implements Comparable<GpadlKey> {

    static GpadlKey first(final OfferId owner) {
        return new GpadlKey(owner, 0);
    }

    static GpadlKey last(final OfferId owner) {
        return new GpadlKey(owner, 0xFFFFFFFF);
    }

    @Override
    public int compareTo(final GpadlKey other) {
        final int c = owner.compareTo(other.owner);
        return c != 0 ? c : Integer.compareUnsigned(gpadlId, other.gpadlId);
    }
}
