/**
 * The guest side of VMBus, for tests, the demo and benchmarks: {@link io.jvmbus.client.GuestClient} plays a VMBus
 * client (Linux by default, OpenVMM's Copper client, or UEFI firmware) over a {@link io.jvmbus.client.GuestTransport};
 * {@link io.jvmbus.client.GuestChannel} moves packets through an open channel's rings; {@link
 * io.jvmbus.client.GuestRam} is the guest's RAM file and page allocator; {@link io.jvmbus.client.SocketGuestTransport}
 * carries the guest's hypercalls to {@code jvmbus serve} over the host transport, with the client playing the VMM.
 *
 * <p>Owns: the guest's protocol state and its RAM file. Must not touch: the host's state (it depends only on {@code
 * protocol} and {@code memory}; the in-process host adapter lives in the tests).
 */
package io.jvmbus.client;
