package cache.frontend.exec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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
}
