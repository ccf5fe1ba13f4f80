/** jvmbus memory module root package (see the module's sub-packages). */
package io.jvmbus.memory;
