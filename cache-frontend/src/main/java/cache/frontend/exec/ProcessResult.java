package cache.frontend.exec;

/** A finished process: exit code (128+N when killed by signal N) and its captured output. */
public record ProcessResult(int exitCode, byte[] stdout, byte[] stderr) {}
