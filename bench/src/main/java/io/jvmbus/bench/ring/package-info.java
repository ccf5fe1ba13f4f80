/**
 * JMH benchmarks of the ring buffers in {@code io.jvmbus.memory.ring}: the memcpy ceiling ({@link
 * io.jvmbus.bench.ring.MemcpyBenchmark}), our host writer to our host reader on two threads ({@link
 * io.jvmbus.bench.ring.RingThroughputBenchmark}), and our host rings against Linux's own ring code next to Linux at
 * both ends ({@link io.jvmbus.bench.ring.LinuxPeerBenchmark}). Commands and results: {@code docs/performance.md}.
 *
 * <p>Benchmark code only: it owns nothing the product uses and must not be depended upon. It never runs in {@code
 * ./mvnw verify}.
 */
package io.jvmbus.bench.ring;
