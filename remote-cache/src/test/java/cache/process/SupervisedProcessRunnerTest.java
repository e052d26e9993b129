package cache.process;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which process endings are the compiler's answer (replayed, maybe cached) and which are not. */
class SupervisedProcessRunnerTest {

    private final SupervisedProcessRunner supervised = new SupervisedProcessRunner(Path.of("/opt/cache/bin/cache"));
    private final List<String> cmd = List.of("gcc", "-c", "x.c");

    private static ProcessResult result(int code, String stderr) {
        return new ProcessResult(code, new byte[0], stderr.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theCompilersOwnExitIsAnAnswerWhateverItSays() {
        for (int code : new int[] {0, 1, 4, 125, 127}) {
            assertDoesNotThrow(() -> supervised.checkAnswer(cmd, result(code, "x.c:1: error: nope\n")));
        }
    }

    @Test
    void anEndBySignalIsNotAnAnswer() {
        assertThrows(SupervisedProcessRunner.NotAnAnswerException.class,
                () -> supervised.checkAnswer(cmd, result(137, "")));
        assertThrows(SupervisedProcessRunner.NotAnAnswerException.class,
                () -> new SupervisedProcessRunner(null).checkAnswer(cmd, result(143, "")));
    }

    @Test
    void theSupervisorsOwnFailureIsNotAnAnswer() {
        assertThrows(SupervisedProcessRunner.NotAnAnswerException.class, () -> supervised.checkAnswer(cmd,
                result(SupervisedProcessRunner.SUPERVISE_FAILED, SupervisedProcessRunner.SUPERVISE_MARK + "fork: EAGAIN\n")));
        // without a supervisor, 125 is whatever the command meant by it
        assertDoesNotThrow(() -> new SupervisedProcessRunner(null).checkAnswer(cmd,
                result(SupervisedProcessRunner.SUPERVISE_FAILED, SupervisedProcessRunner.SUPERVISE_MARK + "fork\n")));
    }

    @Test
    void theCommandRunsUnderTheSupervisorWithTheCallersLimit() throws Exception {
        List<List<String>> ran = new ArrayList<>();
        List<Duration> limits = new ArrayList<>();
        ProcessResult ok = result(0, "");
        ProcessRunner direct = (command, cwd, env, limit) -> {
            ran.add(command);
            limits.add(limit);
            return ok;
        };
        Path client = Path.of("/opt/cache/bin/cache");
        assertSame(ok, new SupervisedProcessRunner(direct, client).run(cmd, Path.of("/"), Map.of()));
        assertSame(ok, new SupervisedProcessRunner(direct, null).run(cmd, Path.of("/"), Map.of(), Duration.ofSeconds(3)));
        assertEquals(List.of(List.of(client.toString(), "--cache-supervise", "gcc", "-c", "x.c"), cmd), ran);
        assertEquals(List.of(ProcessRunner.NO_LIMIT, Duration.ofSeconds(3)), limits);
    }

    @Test
    void aTimeoutIsReturnedAsSuchNotJudged() throws Exception {
        ProcessResult killed = new ProcessResult(-1, new byte[0], new byte[0], true);
        ProcessRunner direct = (command, cwd, env, limit) -> killed;
        assertSame(killed, new SupervisedProcessRunner(direct, Path.of("/opt/cache/bin/cache"))
                .run(cmd, Path.of("/"), Map.of(), Duration.ofSeconds(1)));
    }
}
