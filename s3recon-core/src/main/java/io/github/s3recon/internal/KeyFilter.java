package io.github.s3recon.internal;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Include and exclude globs on keys relative to the location's prefix. A key is in scope when it
 * matches some include (or there is none) and no exclude.
 *
 * <p>Glob syntax, as in {@code .gitignore} and Ant: {@code *} and {@code ?} match within one path
 * segment (never {@code /}), {@code **} matches across segments, {@code **}{@code /} also matches
 * no segment at all (so {@code **}{@code /*.jpg} matches {@code a.jpg}), {@code [abc]}/{@code [!a-z]} a
 * character class (a negated one never matches {@code /}), {@code {a,b}} alternatives, {@code \}
 * escapes. The JDK's {@code PathMatcher} is not used because it matches {@code Path}s, which drop a
 * key's trailing or doubled slashes.
 * Immutable and thread-safe.
 */
public final class KeyFilter implements Predicate<String> {

    /** The filter that lets every key through. */
    public static final KeyFilter ALL = new KeyFilter(List.of(), List.of());

    private final List<String> includeGlobs;
    private final List<String> excludeGlobs;
    private final Pattern include;
    private final Pattern exclude;

    /**
     * Creates a filter.
     *
     * @param includes the include globs; empty for all keys
     * @param excludes the exclude globs
     */
    public KeyFilter(List<String> includes, List<String> excludes) {
        this.includeGlobs = List.copyOf(includes);
        this.excludeGlobs = List.copyOf(excludes);
        this.include = union(includeGlobs);
        this.exclude = union(excludeGlobs);
    }

    /**
     * Returns whether every key is in scope.
     *
     * @return true if there are no globs
     */
    public boolean acceptsAll() {
        return include == null && exclude == null;
    }

    /**
     * Returns the include globs.
     *
     * @return the globs, in the order given
     */
    public List<String> includes() {
        return includeGlobs;
    }

    /**
     * Returns the exclude globs.
     *
     * @return the globs, in the order given
     */
    public List<String> excludes() {
        return excludeGlobs;
    }

    @Override
    public boolean test(String key) {
        return (include == null || include.matcher(key).matches())
                && (exclude == null || !exclude.matcher(key).matches());
    }

    /**
     * Checks a glob and returns it.
     *
     * @param glob the glob
     * @return the glob
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is null or malformed
     */
    public static String check(String glob) {
        compile(glob);
        return glob;
    }

    private static Pattern union(List<String> globs) {
        if (globs.isEmpty()) {
            return null;
        }
        StringBuilder regex = new StringBuilder();
        for (String glob : globs) {
            // Each glob on its own first, so that an error names the one at fault.
            regex.append(regex.length() == 0 ? "" : "|").append("(?:").append(compile(glob).pattern()).append(')');
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private static Pattern compile(String glob) {
        String regex = toRegex(glob);
        try {
            return Pattern.compile(regex, Pattern.DOTALL);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the glob \"" + glob
                    + "\" has a malformed character class: " + e.getDescription()
                    + "; escape a literal character with '\\'", e);
        }
    }

    /** Translates one glob; throws with the glob and the position of what is wrong. */
    static String toRegex(String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "a glob must not be null or empty, was "
                    + (glob == null ? "null" : "\"\"") + "; use \"**\" to match every key");
        }
        StringBuilder r = new StringBuilder();
        boolean inGroup = false;
        int i = 0;
        while (i < glob.length()) {
            // Code points, not chars: a character outside the BMP quoted as two halves matches nothing.
            int c = glob.codePointAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        if (i + 2 < glob.length() && glob.charAt(i + 2) == '/') {
                            r.append("(?:.*/)?"); // "**/": any number of whole segments, or none
                            i += 3;
                        } else {
                            r.append(".*");
                            i += 2;
                        }
                        continue;
                    }
                    r.append("[^/]*");
                }
                case '?' -> r.append("[^/]");
                case '[' -> {
                    i = characterClass(glob, i, r);
                    continue;
                }
                case '{' -> {
                    if (inGroup) {
                        throw malformed(glob, i, "nested '{'");
                    }
                    inGroup = true;
                    r.append("(?:");
                }
                case '}' -> {
                    if (!inGroup) {
                        throw malformed(glob, i, "'}' without an opening '{'");
                    }
                    inGroup = false;
                    r.append(')');
                }
                case ',' -> r.append(inGroup ? "|" : ",");
                case '\\' -> {
                    if (i + 1 == glob.length()) {
                        throw malformed(glob, i, "a trailing '\\'");
                    }
                    i++;
                    c = glob.codePointAt(i);
                    r.append(Pattern.quote(new String(Character.toChars(c))));
                }
                default -> r.append(Pattern.quote(new String(Character.toChars(c))));
            }
            i += Character.charCount(c);
        }
        if (inGroup) {
            throw malformed(glob, glob.length(), "'{' without a closing '}'");
        }
        return r.toString();
    }

    /**
     * Translates the class that starts at {@code start} ({@code '['}) and returns the index after its
     * {@code ']'}. As in POSIX, a {@code ']'} first in the class (after any {@code '!'}) is literal; a
     * negated class, like {@code ?}, never matches {@code '/'}.
     */
    private static int characterClass(String glob, int start, StringBuilder r) {
        int j = start + 1;
        boolean negated = j < glob.length() && (glob.charAt(j) == '!' || glob.charAt(j) == '^');
        if (negated) {
            j++;
        }
        int first = j;
        StringBuilder body = new StringBuilder();
        while (j < glob.length()) {
            int b = glob.codePointAt(j);
            if (b == ']' && j > first) {
                r.append(negated ? "[^/" : "[").append(body).append(']');
                return j + 1;
            }
            if (b == '\\' && j + 1 < glob.length()) {
                j++;
                b = glob.codePointAt(j);
                if (!Character.isLetterOrDigit(b)) {
                    body.append('\\'); // a letter after '\\' would mean a class such as \\d
                }
            } else if (b == '\\' || b == '[' || b == ']' || b == '&' || b == '^') {
                body.append('\\');
            }
            body.appendCodePoint(b);
            j += Character.charCount(b);
        }
        throw malformed(glob, start, "'[' without a closing ']'");
    }

    private static S3ReconException malformed(String glob, int at, String what) {
        return new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the glob \"" + glob + "\" has " + what
                + " at position " + at + "; escape a literal character with '\\'");
    }
}
