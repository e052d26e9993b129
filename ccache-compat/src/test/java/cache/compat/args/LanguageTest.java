package cache.compat.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LanguageTest {

    @Test
    void aNodeCompilesSourcesAndTheirPreprocessedFormsUnderTheSuffixesItAlwaysUsed() {
        Map<String, String> nodeLanguages = Map.of(
                "c", ".c", "c++", ".cc", "cpp-output", ".i", "c++-cpp-output", ".ii",
                "objective-c", ".m", "objective-c++", ".mm", "objc-cpp-output", ".mi",
                "objective-c-cpp-output", ".mi", "objc++-cpp-output", ".mii", "objective-c++-cpp-output", ".mii");
        nodeLanguages.forEach((name, suffix) -> assertEquals(suffix, Language.forNode(name).suffix(), name));
    }

    @Test
    void aNodeRefusesHeadersAssemblerAndNamesGccDoesNotKnow() {
        for (String name : new String[] {"c-header", "c++-header", "assembler", "assembler-with-cpp", "C", "fortran",
            "", "c++ ", "none"}) {
            assertNull(Language.forNode(name), name);
        }
    }
}
