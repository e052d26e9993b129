package cache.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.ArgumentPolicy.Rule;
import cache.node.protocol.NodeProtocol.ErrorCode;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ArgumentPolicyTest {

    private final ArgumentPolicy policy = new ArgumentPolicy(1024);

    @Test
    void tableIsSortedWithoutDuplicates() {
        List<Rule> t = ArgumentPolicy.TABLE;
        for (int i = 1; i < t.size(); i++) {
            Rule a = t.get(i - 1);
            Rule b = t.get(i);
            int c = a.option().compareTo(b.option());
            assertTrue(c < 0 || (c == 0 && !a.prefix() && b.prefix()), a + " before " + b);
        }
    }

    /** One example per class of danger: code loading, client files, outputs, inputs. */
    @ParameterizedTest
    @ValueSource(strings = {
        // loads code
        "-fplugin=/tmp/evil.so", "-fplugin-arg-evil-x=1", "-specs=/tmp/evil.specs", "-B/tmp/evil", "-B",
        "-wrapper", "-Xclang", "-Xassembler", "-Xlinker", "-mllvm", "-fpass-plugin=/x.so", "--config=/x.cfg",
        "-iplugindir=/tmp", "--gcc-toolchain=/opt", "-fuse-ld=/tmp/ld", "-ccc-install-dir",
        // reads or writes a file of the client's choosing
        "@/etc/passwd", "@args", "-include", "-include/etc/passwd", "-imacros", "--sysroot=/", "--sysroot",
        "-isysroot", "-fprofile-use=/etc/shadow", "-fprofile-use", "-fauto-profile=/x", "-fsanitize-blacklist=/x",
        "-fsanitize-ignorelist=/x", "-Wp,-MD,/tmp/x.d", "-fmodules", "-fmodule-file=/x.pcm", "-imultilib",
        "-fcrash-diagnostics-dir=/tmp", "-fdiagnostics-add-output=sarif:file=/tmp/x",
        // chooses or adds outputs
        "-o", "-o/tmp/x.o", "-MD", "-MMD", "-MF", "-MT", "-M", "-save-temps", "-save-temps=obj",
        "-fdump-tree-all", "-fdump-rtl-all=/tmp/x", "-dumpdir", "-dumpbase", "-aux-info", "--coverage",
        "-ftest-coverage", "-fprofile-arcs", "-fprofile-generate=/tmp", "-gsplit-dwarf", "-fstack-usage",
        "-fopt-info-all=/tmp/x", "-ftime-trace", "-fsave-optimization-record",
        // not a one-input compile / carried elsewhere
        "-x", "-E", "-lm", "-L/lib", "-Wl,-rpath,/x",
        // inputs and paths
        "/etc/passwd", "input.c", "-", "-fsomething=/etc/passwd", "-I/usr/include", "-I../x", "-isystem/abs",
        "-Wa,-adhln=/tmp/listing", "-Wa,@/tmp/x", "-Wa,--noexecstack,-o,/tmp/x"})
    void refused(String arg) {
        Refusal r = assertThrows(Refusal.class, () -> policy.check(List.of(arg)));
        assertEquals(ErrorCode.FORBIDDEN_ARGUMENT, r.code());
        assertTrue(r.getMessage().startsWith("argument '"), r.getMessage());
    }

    @Test
    void separateValuesAreCheckedToo() {
        assertThrows(Refusal.class, () -> policy.check(List.of("-I", "/usr/include")));
        assertThrows(Refusal.class, () -> policy.check(List.of("-isystem", "../up")));
        assertThrows(Refusal.class, () -> policy.check(List.of("-D")));
        assertThrows(Refusal.class, () -> policy.check(List.of("-O2", "x.c")));
        assertThrows(Refusal.class, () -> policy.check(List.of("-target", "/home/u/secret.c")),
                "gcc takes an unknown option's value for an input");
        assertThrows(Refusal.class, () -> policy.check(List.of("-arch", "x86_64")));
    }

    @Test
    void ordinaryCompileArgumentsPass() {
        assertDoesNotThrow(() -> policy.check(List.of("-c", "-O2", "-g", "-Wall", "-Wextra", "-std=c11", "-fPIC",
                "-DNAME=/usr/share/x", "-D", "PATH_VALUE=\"/etc\"", "-UX", "-U", "Y", "-march=x86-64-v2",
                "-fdebug-prefix-map=/home/u/src=.", "-ffile-prefix-map=/a=/b", "-fdebug-compilation-dir=/home/u",
                "-Iinclude", "-I", "sub", "-isystem", "third_party", "-Wa,--noexecstack", "--param",
                "max-inline-insns-single=200", "-target", "x86_64-pc-linux-gnu", "-fno-omit-frame-pointer",
                "-pipe", "-S", "-fdirectives-only", "-fpreprocessed", "-gno-column-info", "-ffunction-sections")));
    }

    @Test
    void argumentCountIsLimited() {
        Refusal r = assertThrows(Refusal.class,
                () -> new ArgumentPolicy(3).check(Collections.nCopies(4, "-O2")));
        assertEquals(ErrorCode.TOO_LARGE, r.code());
        assertDoesNotThrow(() -> new ArgumentPolicy(3).check(Arrays.asList("-O2", "-g", "-c")));
    }
}
