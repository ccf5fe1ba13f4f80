/**
 * The SynIC envelope VMBus channel messages travel in: the 256-byte {@code hv_message} slot of a message page, its
 * 16-byte header, the HvPostMessage hypercall input, and a value codec ({@link io.jvmbus.protocol.synic.SynicMessage})
 * for a slot image.
 *
 * <p>Owns layouts and pure encoding only. Must not touch real message pages, SINT delivery, EOM or slot ownership
 * (those belong to the modules that map guest memory); channel-message bodies are {@code io.jvmbus.protocol.message}'s.
 */
package io.jvmbus.protocol.synic;
