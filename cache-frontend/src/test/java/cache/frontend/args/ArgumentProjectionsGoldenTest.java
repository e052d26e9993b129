package cache.frontend.args;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cache.compat.config.CompilerType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The command lines every projection of an analysed call gives (preprocessor run, compile,
 * key, direct key, the {@code run_second_cpp = false} pair), for a corpus of varied calls,
 * compared with {@code argument-projections.golden}: that file was written by the code before
 * arguments were parsed once into roles (issue 18), so the roles change no command line.
 * Regenerate only for an intended change: {@code -Dgolden.write=<path>} writes the file.
 */
class ArgumentProjectionsGoldenTest {

    static final String[] CORPUS = {
        "-O2 -c src/x.c -o obj/x.o",
        "-c src/x.c",
        "-S src/x.c",
        "-c y.cpp",
        "-c z.c -oobj/z.o",
        "-c x.c -DFOO=1 -I inc -Iinc2 -include cfg.h -isystem sys -O1",
        "-c x.c -fsome-future-flag -Wbrand-new-warning=3",
        "--ccache-skip -fplugin-arg-x=1 -c x.c",
        "-c x.c -o x.o -Wp,-MD,x.d -Wp,-MP -Wp,-MT,tgt",
        "-c x.c -MD -Wp,-MF,y.d",
        "-c x.c -Wa,-adhln",
        "-c x.c -Wa,--noexecstack",
        "-O2 -Iinc -DX=1 -c x.c -o a.o -MD -MF a.d -MT t",
        "-c x.c -o a.o -Wp,-MD,a.d -MT t",
        "-O2 -Ib -Ia -DX=1 -c x.c -o a.o",
        "-c x.c -o a.o -MD",
        "-c x.c -o a.o -fprofile-arcs",
        "-c x.c -o a.o -gsplit-dwarf -g",
        "-c x.c -o obj/x.o -MD -MF obj/x.d -MT obj/x.o",
        "-c x.c -o obj/x.o -MMD",
        "-c x.c -o x.o -Wp,-MD,.x.o.d",
        "-c x.c -o x.o -Wp,-MMD,.x.o.d",
        "-c x.c -DPROCFS_EXECUTABLE_PATH=\"/proc/self/exe\"",
        "-c x.c -D FD_DIR=/dev/fd",
        "-c x.c -fdebug-prefix-map=/proc/self/cwd=.",
        "-c x.c -MT /dev/stdout -MD",
        "-c x.c -Wp,-DTTY=/dev/tty",
        "-c x.c -Xpreprocessor -DIN=/dev/stdin",
        "-c x.c -Wa,--defsym,X=/dev/fd",
        "-c x.c -fmacro-prefix-map=/proc/self/cwd/=",
        "-c x.c -Wl,-rpath,/proc/self",
        "-Wall -MD -c a.c -o a.o",
        "-x c -c a.c -o ax.o",
        "-I. -DFOO=1 -c a.c -o ac.o",
        "-x c++ -c a.c -o ap.o",
        "-xc++ -c a.c -o ap.o",
        "-MMD -MF dep.d -MT tgt -c a.c -o ad.o",
        "-Wp,-MD,wp.d -c a.c -o aw.o",
        "-Wall -Werror -Wno-error=unused -A sys=x -Wa,--noexecstack -fworking-directory -fdiagnostics-color=never"
                + " -finput-charset=UTF-8 -include h.h -O2 -Xpreprocessor -DX=1 -Xlinker foo -MD -c w.c -o w.o",
        "-fcolor-diagnostics -fdiagnostics-color=always -Xclang -fcolor-diagnostics -c w.c -o w2.o",
        "-fno-diagnostics-color -fno-color-diagnostics -fdiagnostics-color -c w.c",
        "-fdiagnostics-color=auto -fdiagnostics-color=sometimes -c w.c",
        "-c w.c -x c -o w3.o",
        "-S w.c -o w4.s",
        "-c w.S -o w5.o",
        "-c w.s -o w6.o",
        "-c x.mm",
        "-c x.m -o m.o",
        "-c a.i",
        "-c a.ii -o b.o",
        "-fcolor-diagnostics -c a.c",
        "-g3 -c a.c", "-ggdb3 -c a.c", "-MG -MD -c a.c", "-fdirectives-only -c a.c", "-c a.c --",
        "-Wp,-MD,x.d -MF y.d -c a.c", "-fprofile-abs-path -c a.c",
        "-g3 -g0 -gdwarf-3 -c a.c",
        "-g -gdwarf-4 -gz -c a.c -o g.o",
        "-g2 -ggdb -c a.c",
        "-arch x86_64 -c a.c", "-Xarch_x86_64 -O2 -c a.c", "-frewrite-includes -c a.c", "-fpch-preprocess -c a.c",
        "-Xclang -emit-pch -c a.c", "-Xclang -include-pth -Xclang x.pth -c a.c", "-Xclang -fno-pch-timestamp -c a.c",
        "-Xclang -load -Xclang plugin.so -c a.c",
        "-c a.c -Xassembler --noexecstack -Xlinker -rpath -Xlinker /x",
        "-c a.c -Wl,--as-needed -pie -rdynamic -nolibc",
        "-c a.c -finput-charset=latin1 -finput-charset=UTF-8 -DX",
        "-c a.c -Wp,-DX=1 -Wp,-include,h.h -Wp,-MQ,q -Wp,-MF,f.d -MD",
        "-c a.c -MQ q -MTt -MFf.d -MD -MP",
        "-c a.c -MD -MF f.d -Wp,-MT,t",
        "-march=native -mtune=native -c a.c",
        "-march=x86-64-v2 -c a.c -o m.o",
        "-specs=my.specs -c a.c",
        "-fsanitize-ignorelist=ign.txt -fsanitize=address -c a.c",
        "-B/opt/bin -c a.c", "-B /opt/bin -c a.c",
        "--sysroot=/sr -isysroot /sr2 -c a.c", "--sysroot /sr -c a.c",
        "-imacros m.h -c a.c", "-idirafter d -iquote q -iprefix p -iwithprefix w -iwithprefixbefore wb -c a.c",
        "-nostdinc -nostdinc++ -undef -trigraphs -remap -c a.c",
        "-stdlib=libc++ -c a.cpp",
        "-target x86_64-linux-gnu -c a.c", "--target=x86_64-linux-gnu -c a.c",
        "--param max-inline-insns-single=200 -c a.c",
        "-fprofile-generate -c a.c", "-fprofile-generate=dir -c a.c", "--coverage -c a.c -o c.o",
        "-ftest-coverage -fno-test-coverage -c a.c", "-fstack-usage -c a.c -o s.o",
        "-frecord-gcc-switches -DX -c a.c", "-grecord-command-line -c a.c -Ifoo",
        "-c a.c -fdebug-prefix-map=/a=/b -ffile-prefix-map=/c=/d -fdebug-compilation-dir=/w",
        "-fPIC -pipe -std=gnu11 -Wextra -c a.c",
        "-xc -c a.c", "-x none -c a.c", "-x c -c a.c -x none",
        "-load x -c a.c", "-lm -c a.c", "-L/lib -c a.c",
        "-c a.c -fplugin-arg-x=1 -mllvm -foo -wrapper gdb",
        "-fmodules-ts -c a.c",
        "-c a.c -o /abs/out/a.o -MD -MF /abs/out/a.d",
        "-F fw -Ffw2 -iframework ifw -c a.c",
        "-G 8 -V 4 -b m -u sym -usym2 -c a.c",
        "-all_load -bind_at_load -bundle -prebind -preload -c a.c",
        "-Werror=format -Wno-error -Werror -c a.c",
        "-c a.c -Xclang -fcolor-diagnostics",
    };

    static String describe(String line) {
        Analysis a = ArgumentAnalyzer.analyze(Arrays.asList(line.split(" ")), Path.of("/w"), Map.of());
        StringBuilder out = new StringBuilder("call: ").append(line).append('\n');
        if (a instanceof Uncacheable u) {
            return out.append("  uncacheable: ").append(u.counter()).append(' ').append(u.reason()).append('\n').toString();
        }
        Invocation i = (Invocation) a;
        out.append("  compile: ").append(i.compileArgs()).append('\n');
        out.append("  cpp: ").append(i.preprocessorArgs()).append('\n');
        out.append("  key: ").append(i.keyArgs()).append('\n');
        out.append("  direct: ").append(i.directKeyArgs()).append('\n');
        out.append("  outputs: ").append(i.outputs()).append('\n');
        out.append("  flags: hashCwd=").append(i.hashCwd()).append(" direct=").append(i.directModeAllowed())
                .append(" colour=").append(i.colour() != DiagnosticsColour.AUTO).append(" hashed=").append(i.hashedFiles()).append('\n');
        for (CompilerType type : List.of(CompilerType.GCC, CompilerType.CLANG)) {
            PreprocessedCompile.Plan p = PreprocessedCompile.plan(i, line.contains("--ccache-skip"), type, "");
            out.append("  plan ").append(type).append(": ");
            if (p.preprocessed()) {
                out.append(p.preprocessorArgs()).append(" | ").append(p.compileArgs());
            } else {
                out.append("source (").append(p.sourceReason()).append(')');
            }
            out.append(" .").append(p.extension()).append('\n');
        }
        return out.toString();
    }

    static List<String> all() {
        List<String> out = new ArrayList<>();
        for (String line : CORPUS) {
            out.add(describe(line));
        }
        return out;
    }

    /** Every word of the call is recorded once, in order, with a role: the compile loses none. */
    @Test
    void theRolesHoldEveryWordOnce() {
        for (String line : CORPUS) {
            if (ArgumentAnalyzer.analyze(Arrays.asList(line.split(" ")), Path.of("/w"), Map.of()) instanceof Invocation i) {
                List<String> words = new ArrayList<>(Arrays.asList(line.split(" ")));
                words.remove(ArgumentAnalyzer.SKIP);
                assertEquals(words, Argument.words(i.arguments()), line);
                assertEquals(words, i.compileArgs(), line);
            }
        }
    }

    @Test
    void everyProjectionIsTheSameCommandLineAsBeforeTheRoles() throws IOException {
        String actual = String.join("", all());
        String write = System.getProperty("golden.write");
        if (write != null) {
            Files.writeString(Path.of(write), actual);
        }
        String expected;
        try (InputStream in = getClass().getResourceAsStream("argument-projections.golden")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // line by line, so a failure names the call
        String[] want = expected.split("(?=call: )");
        String[] got = actual.split("(?=call: )");
        for (int i = 0; i < Math.min(want.length, got.length); i++) {
            assertEquals(want[i], got[i]);
        }
        assertEquals(want.length, got.length);
    }
}
