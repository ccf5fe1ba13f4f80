/**
 * JMH benchmarks of servicing: saving the channel server core and restoring it into a fresh one.
 *
 * <p>Owns only benchmark code; must not be used by any other module.
 */
package io.jvmbus.bench.servicing;
