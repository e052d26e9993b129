package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DependencyFileTest {

    private static List<String> parse(String s) {
        return DependencyFile.prerequisites(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void continuationsEscapesAndPhonyRules() {
        String d = "obj/m.o: m.c /usr/include/stdio.h \\\n inc/my\\ file.h inc/a\\#b.h inc/$$x.h\n\ninc/my\\ file.h:\n";
        assertEquals(List.of("m.c", "/usr/include/stdio.h", "inc/my file.h", "inc/a#b.h", "inc/$x.h"), parse(d));
    }

    @Test
    void severalTargetsAndNothingUsable() {
        assertEquals(List.of("x.c", "x.h"), parse("x.o x.d: x.c x.h\n"));
        assertEquals(List.of(), parse("garbage without a rule\n"));
        assertEquals(List.of(), DependencyFile.prerequisites(null));
    }
}
