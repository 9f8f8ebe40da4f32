/** JMH benchmarks of Interlock against its peers. */
package dev.interlock.bench;
