/**
 * Running commands: the one place that starts a process, drains its output, waits for it and
 * kills its whole tree on a timeout or an interrupted caller.
 *
 * <p>{@link cache.process.ProcessRunner} is the seam (tests fake it);
 * {@link cache.process.DefaultProcessRunner} runs real processes, for the node's compiles and
 * probes; {@link cache.process.SupervisedProcessRunner} decorates it for the daemon, running each
 * command under the native client's {@code --cache-supervise} so no compile outlives the daemon.
 */
package cache.process;
