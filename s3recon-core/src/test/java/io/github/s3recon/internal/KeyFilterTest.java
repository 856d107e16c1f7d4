package io.github.s3recon.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyFilterTest {

    private static final String EMOJI = "\uD83D\uDE00"; // U+1F600, outside the BMP

    private static KeyFilter include(String... globs) {
        return new KeyFilter(List.of(globs), List.of());
    }

    /** The keys of {@code candidates} that {@code filter} lets through, in order. */
    private static List<String> accepted(KeyFilter filter, String... candidates) {
        List<String> in = new ArrayList<>();
        for (String key : candidates) {
            if (filter.test(key)) {
                in.add(key);
            }
        }
        return in;
    }

    @Nested
    class Wildcards {

        @Test
        void starMatchesWithinOneSegmentOnly() {
            assertThat(accepted(include("*.txt"), "a.txt", ".txt", "dir/a.txt", "a.txt/", "a.txtx"))
                    .containsExactly("a.txt", ".txt");
            assertThat(accepted(include("logs/*"), "logs/a", "logs/", "logs/a/b", "logsx/a"))
                    .containsExactly("logs/a", "logs/");
        }

        @Test
        void questionMarkMatchesExactlyOneCharacterOtherThanSlash() {
            assertThat(accepted(include("a?c"), "abc", "a.c", "ac", "abbc", "a/c"))
                    .containsExactly("abc", "a.c");
        }

        @Test
        void doubleStarMatchesAcrossSegments() {
            assertThat(accepted(include("a/**/z"), "a/z", "a/b/z", "a/b/c/z", "az", "a/b/zz", "b/a/z"))
                    .containsExactly("a/z", "a/b/z", "a/b/c/z");
            assertThat(accepted(include("**"), "", "a", "a/b/c", "/", "//")).hasSize(5);
        }

        @Test
        void doubleStarSlashAlsoMatchesNoSegment() {
            assertThat(accepted(include("**/*.jpg"), "a.jpg", "x/y/a.jpg", "x/a.jpg", "a.jpeg", "x/a.jpg/b"))
                    .containsExactly("a.jpg", "x/y/a.jpg", "x/a.jpg");
        }

        @Test
        void trailingDoubleStarMatchesEverythingUnderADirectoryButNotASiblingWithTheSamePrefix() {
            assertThat(accepted(include("tmp/**"), "tmp/a", "tmp/a/b", "tmp/", "tmpx/a", "tmp", "x/tmp/a"))
                    .containsExactly("tmp/a", "tmp/a/b", "tmp/");
        }

        @Test
        void globMatchesTheWholeKeyNotAPart() {
            assertThat(accepted(include("b"), "b", "ab", "ba", "a/b")).containsExactly("b");
        }
    }

    @Nested
    class CharacterClasses {

        @Test
        void classAndRange() {
            assertThat(accepted(include("file[0-9].log"), "file0.log", "file9.log", "filea.log", "file10.log"))
                    .containsExactly("file0.log", "file9.log");
            assertThat(accepted(include("[abc]"), "a", "b", "c", "d", "ab")).containsExactly("a", "b", "c");
        }

        @Test
        void negationWithBangOrCaret() {
            assertThat(accepted(include("[!a-z]x"), "Ax", "1x", "ax", "zx", "x")).containsExactly("Ax", "1x");
            assertThat(accepted(include("[^a-z]x"), "Ax", "ax")).containsExactly("Ax");
        }

        @Test
        void negatedClassDoesNotMatchSlashLikeQuestionMark() {
            assertThat(include("a[!b]c").test("a/c")).isFalse();
            assertThat(include("a[!b]c").test("a-c")).isTrue();
        }

        @Test
        void closingBracketFirstInClassIsLiteral() {
            assertThat(accepted(include("[]a]"), "]", "a", "b")).containsExactly("]", "a");
            assertThat(accepted(include("[!]]"), "]", "a")).containsExactly("a");
        }

        @Test
        void regexClassSyntaxInsideAGlobClassIsLiteral() {
            // '&&' is intersection, '[' a nested class and '\' an escape in a Java regex class.
            assertThat(accepted(include("[a&&b]"), "a", "&", "b", "c")).containsExactly("a", "&", "b");
            assertThat(accepted(include("[[]"), "[", "a")).containsExactly("[");
            assertThat(accepted(include("[x^]"), "^", "x", "y")).containsExactly("^", "x");
        }

        @Test
        void escapesInsideAClass() {
            assertThat(accepted(include("[\\]]"), "]", "\\")).containsExactly("]");
            assertThat(accepted(include("[a\\-z]"), "a", "-", "z", "b")).containsExactly("a", "-", "z");
            assertThat(accepted(include("[\\d]"), "d", "1")).containsExactly("d");
        }

        @Test
        void classWithACharacterOutsideTheBmp() {
            assertThat(accepted(include("[" + EMOJI + "x]"), EMOJI, "x", "\uD83D", "y")).containsExactly(EMOJI, "x");
        }
    }

    @Nested
    class AlternativesAndEscapes {

        @Test
        void braceAlternatives() {
            assertThat(accepted(include("**/*.{jpg,png}"), "a.jpg", "b/c.png", "a.gif", "a.jpg,png", "a.{jpg,png}"))
                    .containsExactly("a.jpg", "b/c.png");
        }

        @Test
        void commaOutsideBracesIsLiteral() {
            assertThat(accepted(include("a,b"), "a,b", "a", "b")).containsExactly("a,b");
        }

        @Test
        void emptyAlternative() {
            assertThat(accepted(include("a{,.bak}"), "a", "a.bak", "a.b")).containsExactly("a", "a.bak");
        }

        @Test
        void backslashEscapesWildcardsAndBraces() {
            assertThat(accepted(include("a\\*b"), "a*b", "axb", "a\\xb")).containsExactly("a*b");
            assertThat(accepted(include("\\?"), "?", "x")).containsExactly("?");
            assertThat(accepted(include("\\[a]"), "[a]", "a")).containsExactly("[a]");
            assertThat(accepted(include("\\{a,b\\}"), "{a,b}", "a")).containsExactly("{a,b}");
            assertThat(accepted(include("a\\\\b"), "a\\b", "ab")).containsExactly("a\\b");
        }

        @Test
        void regexMetacharactersInAGlobAreLiteral() {
            assertThat(accepted(include("a+b.(1).txt"), "a+b.(1).txt", "aab.(1).txt", "a+bx(1)xtxt", "ab.1.txt"))
                    .containsExactly("a+b.(1).txt");
            assertThat(accepted(include("$HOME^|x"), "$HOME^|x", "HOME", "x", "$HOME^")).containsExactly("$HOME^|x");
            assertThat(accepted(include("^a$"), "^a$", "a")).containsExactly("^a$");
            assertThat(accepted(include("a|b"), "a|b", "a", "b")).containsExactly("a|b");
            assertThat(accepted(include("\\Qx\\E"), "QxE", "x", "\\Qx\\E")).containsExactly("QxE");
            assertThat(accepted(include("a.b"), "a.b", "axb")).containsExactly("a.b");
        }
    }

    @Nested
    class OddKeys {

        @Test
        void spacesAndUnicode() {
            assertThat(include("my photos/*.jpg").test("my photos/été.jpg")).isTrue();
            assertThat(include("日本/*").test("日本/ファイル")).isTrue();
            assertThat(include("日本/*").test("日本x/ファイル")).isFalse();
        }

        @Test
        void literalCharacterOutsideTheBmpInTheGlob() {
            assertThat(accepted(include("a" + EMOJI + "b"), "a" + EMOJI + "b", "axb", "a\uD83Db"))
                    .containsExactly("a" + EMOJI + "b");
            assertThat(include("\\" + EMOJI).test(EMOJI)).isTrue();
        }

        @Test
        void wildcardsMatchACharacterOutsideTheBmpAsOne() {
            assertThat(include("?").test(EMOJI)).isTrue();
            assertThat(include("x?y").test("x" + EMOJI + "y")).isTrue();
            assertThat(include("*.png").test(EMOJI + EMOJI + ".png")).isTrue();
        }

        @Test
        void trailingAndDoubledSlashesAreKept() {
            assertThat(accepted(include("dir/"), "dir/", "dir")).containsExactly("dir/");
            assertThat(accepted(include("a//b"), "a//b", "a/b")).containsExactly("a//b");
            assertThat(accepted(include("a/*/b"), "a//b", "a/x/b")).containsExactly("a//b", "a/x/b");
            assertThat(include("**/*.jpg").test("a//b.jpg")).isTrue();
            assertThat(include("*").test("/")).isFalse();
        }

        @Test
        void newlinesAreOrdinaryCharacters() {
            assertThat(include("*").test("a\nb")).isTrue();
            assertThat(include("a?b").test("a\nb")).isTrue();
            assertThat(include("**").test("x\n/y\n")).isTrue();
            assertThat(include("a").test("a\n")).isFalse();
            assertThat(include("*.txt").test("a.txt\nb")).isFalse();
        }
    }

    @Nested
    class IncludeAndExclude {

        @Test
        void allAcceptsEveryKey() {
            assertThat(KeyFilter.ALL.acceptsAll()).isTrue();
            assertThat(accepted(KeyFilter.ALL, "", "a", "a/b/", "\n")).hasSize(4);
            assertThat(KeyFilter.ALL.includes()).isEmpty();
            assertThat(KeyFilter.ALL.excludes()).isEmpty();
        }

        @Test
        void anyIncludeLetsAKeyIn() {
            KeyFilter f = include("*.jpg", "docs/**");
            assertThat(f.acceptsAll()).isFalse();
            assertThat(accepted(f, "a.jpg", "docs/x/y", "a.png", "x/a.jpg")).containsExactly("a.jpg", "docs/x/y");
        }

        @Test
        void excludesAloneRemoveKeys() {
            KeyFilter f = new KeyFilter(List.of(), List.of("tmp/**", "*.bak"));
            assertThat(f.acceptsAll()).isFalse();
            assertThat(accepted(f, "a", "tmp/a", "a.bak", "x/a.bak")).containsExactly("a", "x/a.bak");
        }

        @Test
        void excludeWinsOverInclude() {
            KeyFilter f = new KeyFilter(List.of("photos/**"), List.of("**/*.tmp", "photos/private/**"));
            assertThat(accepted(f, "photos/a.jpg", "photos/a.tmp", "photos/private/b.jpg", "other/a.jpg",
                    "photos/x/private/b.jpg")).containsExactly("photos/a.jpg", "photos/x/private/b.jpg");
            assertThat(new KeyFilter(List.of("a"), List.of("a")).test("a")).isFalse();
        }

        @Test
        void keepsTheGlobsInOrderAndCopiesThem() {
            List<String> includes = new ArrayList<>(List.of("b*", "a*"));
            KeyFilter f = new KeyFilter(includes, List.of("x"));
            includes.add("c*");
            assertThat(f.includes()).containsExactly("b*", "a*");
            assertThat(f.excludes()).containsExactly("x");
            assertThat(f.test("c")).isFalse();
            assertThatThrownBy(() -> f.includes().add("z")).isInstanceOf(UnsupportedOperationException.class);
        }

        @Test
        void checkReturnsAWellFormedGlob() {
            assertThat(KeyFilter.check("**/*.{jpg,png}")).isEqualTo("**/*.{jpg,png}");
            assertThat(KeyFilter.check("[!a-z]\\*")).isEqualTo("[!a-z]\\*");
        }
    }

    @Nested
    class MalformedGlobs {

        @ParameterizedTest
        @ValueSource(strings = {"[abc", "{a,b", "a}", "a\\", "[!]", "[]", "[", "{a,{b,c}}", "x[a-", "[z-a]",
                "[a\\]"})
        void isRejectedNamingTheGlob(String glob) {
            assertThatThrownBy(() -> KeyFilter.check(glob))
                    .isInstanceOfSatisfying(S3ReconException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("\"" + glob + "\"");
        }

        @Test
        void messagesSayWhatIsWrongAndWhere() {
            assertThatThrownBy(() -> KeyFilter.check("ab[cd")).hasMessageContaining("'[' without a closing ']'")
                    .hasMessageContaining("position 2");
            assertThatThrownBy(() -> KeyFilter.check("{a,b")).hasMessageContaining("'{' without a closing '}'");
            assertThatThrownBy(() -> KeyFilter.check("a}")).hasMessageContaining("'}' without an opening '{'")
                    .hasMessageContaining("position 1");
            assertThatThrownBy(() -> KeyFilter.check("a\\")).hasMessageContaining("trailing '\\'");
            assertThatThrownBy(() -> KeyFilter.check("[z-a]")).hasMessageContaining("character class");
        }

        @Test
        void emptyOrNullGlobIsRejected() {
            assertThatThrownBy(() -> KeyFilter.check(""))
                    .isInstanceOfSatisfying(S3ReconException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("empty").hasMessageContaining("\"**\"");
            assertThatThrownBy(() -> KeyFilter.check(null))
                    .isInstanceOfSatisfying(S3ReconException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("null");
        }

        @Test
        void constructorRejectsAMalformedGlobAmongGoodOnes() {
            assertThatThrownBy(() -> new KeyFilter(List.of("*.jpg"), List.of("ok/**", "bad[")))
                    .isInstanceOfSatisfying(S3ReconException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("\"bad[\"")
                    .hasMessageNotContaining("ok/**");
        }
    }
}
