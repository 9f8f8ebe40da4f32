/**
 * Tasks as processes: the {@code tasks} table and its events, the {@link dev.interlock.examples.tasks.Supervisor}
 * that starts each task as a JVM of its own and cleans up after it, and the task process's entry point
 * {@link dev.interlock.examples.tasks.TaskMain}.
 */
package dev.interlock.examples.tasks;
