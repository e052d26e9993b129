package cache.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.args.NodeVerdict;
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

    /**
     * The node's own table before it became the node column of the shared option table
     * (issue 18), rule by rule: each still gets the same verdict, for the option itself and,
     * for a prefix rule, for an argument that merely starts with it.
     */
    static final String[] FORMER_RULES = {
        "prefix --config LOADS_CODE",
        "prefix --coverage OUTPUT",
        "prefix --gcc-install-dir LOADS_CODE",
        "prefix --gcc-toolchain LOADS_CODE",
        "prefix --ld-path LOADS_CODE",
        "exact --param VALUE",
        "prefix --sysroot CLIENT_FILE",
        "prefix -B LOADS_CODE",
        "exact -D VALUE",
        "prefix -D VALUE",
        "prefix -E NOT_HERE",
        "exact -I INCLUDE_DIR",
        "prefix -I INCLUDE_DIR",
        "prefix -L NOT_HERE",
        "prefix -M OUTPUT",
        "exact -U VALUE",
        "prefix -U VALUE",
        "prefix -Wl, NOT_HERE",
        "prefix -Wp, CLIENT_FILE",
        "prefix -X LOADS_CODE",
        "prefix -aux-info OUTPUT",
        "prefix -ccc- LOADS_CODE",
        "prefix -dumpbase OUTPUT",
        "prefix -dumpdir OUTPUT",
        "prefix -fauto-profile CLIENT_FILE",
        "prefix -fcallgraph-info OUTPUT",
        "prefix -fcoverage-compilation-dir= PATH_MAP",
        "prefix -fcoverage-prefix-map= PATH_MAP",
        "prefix -fcrash-diagnostics-dir CLIENT_FILE",
        "prefix -fdebug-compilation-dir PATH_MAP",
        "prefix -fdebug-prefix-map= PATH_MAP",
        "prefix -fdiagnostics-add-output CLIENT_FILE",
        "prefix -fdiagnostics-set-output CLIENT_FILE",
        "prefix -fdump- OUTPUT",
        "prefix -ffile-compilation-dir= PATH_MAP",
        "prefix -ffile-prefix-map= PATH_MAP",
        "prefix -fmacro-prefix-map= PATH_MAP",
        "prefix -fmodule-file CLIENT_FILE",
        "prefix -fmodule-map-file CLIENT_FILE",
        "prefix -fmodules CLIENT_FILE",
        "prefix -fopt-info OUTPUT",
        "prefix -fpass-plugin LOADS_CODE",
        "prefix -fplugin LOADS_CODE",
        "prefix -fprebuilt-module-path CLIENT_FILE",
        "prefix -fprofile-arcs OUTPUT",
        "prefix -fprofile-generate OUTPUT",
        "prefix -fprofile-instr-use CLIENT_FILE",
        "prefix -fprofile-list CLIENT_FILE",
        "prefix -fprofile-prefix-map= PATH_MAP",
        "prefix -fprofile-sample-use CLIENT_FILE",
        "prefix -fprofile-use CLIENT_FILE",
        "prefix -fsanitize-blacklist CLIENT_FILE",
        "prefix -fsanitize-coverage-allowlist CLIENT_FILE",
        "prefix -fsanitize-coverage-ignorelist CLIENT_FILE",
        "prefix -fsanitize-ignorelist CLIENT_FILE",
        "prefix -fsave-optimization-record OUTPUT",
        "prefix -fstack-usage OUTPUT",
        "prefix -ftest-coverage OUTPUT",
        "prefix -ftime-trace OUTPUT",
        "prefix -fuse-ld LOADS_CODE",
        "prefix -gsplit-dwarf OUTPUT",
        "exact -idirafter INCLUDE_DIR",
        "prefix -imacros CLIENT_FILE",
        "prefix -imultiarch CLIENT_FILE",
        "prefix -imultilib CLIENT_FILE",
        "prefix -include CLIENT_FILE",
        "prefix -iplugindir LOADS_CODE",
        "prefix -iprefix CLIENT_FILE",
        "exact -iquote INCLUDE_DIR",
        "exact -isysroot CLIENT_FILE",
        "exact -isystem INCLUDE_DIR",
        "prefix -iwithprefix CLIENT_FILE",
        "prefix -l NOT_HERE",
        "prefix -load LOADS_CODE",
        "prefix -mllvm LOADS_CODE",
        "prefix -o OUTPUT",
        "prefix -save-stats OUTPUT",
        "prefix -save-temps OUTPUT",
        "prefix -specs LOADS_CODE",
        "exact -target VALUE",
        "prefix -wrapper LOADS_CODE",
        "prefix -x NOT_HERE"
    };

    @Test
    void everyFormerRuleHasTheSameVerdict() {
        for (String rule : FORMER_RULES) {
            String[] r = rule.split(" ");
            NodeVerdict v = NodeVerdict.valueOf(r[2]);
            assertEquals(v, ArgumentPolicy.verdict(r[1]), rule);
            if (r[0].equals("prefix")) {
                assertEquals(v, ArgumentPolicy.verdict(r[1] + "zz"), rule);
            }
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
