/**
 * JMH benchmarks of the channel server core ({@code io.jvmbus.server.ChannelServer}): messages per second through
 * the sans-I/O state machine for the control-plane cycles a guest drives most, GPADL create/teardown and channel
 * open/close. Commands and results: {@code docs/performance.md}, "Channel server core".
 *
 * <p>Benchmark code only: it owns nothing the product uses and must not be depended upon. It never runs in {@code
 * ./mvnw verify}.
 */
package io.jvmbus.bench.core;
