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
 * character class, {@code {a,b}} alternatives, {@code \} escapes. The JDK's {@code PathMatcher} is
 * not used because it matches {@code Path}s, which drop a key's trailing or doubled slashes.
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
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is malformed
     */
    public static String check(String glob) {
        union(List.of(glob));
        return glob;
    }

    private static Pattern union(List<String> globs) {
        if (globs.isEmpty()) {
            return null;
        }
        StringBuilder regex = new StringBuilder();
        for (String glob : globs) {
            regex.append(regex.length() == 0 ? "" : "|").append("(?:").append(toRegex(glob)).append(')');
        }
        try {
            return Pattern.compile(regex.toString(), Pattern.DOTALL);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the globs " + globs
                    + " have a malformed character class: " + e.getDescription(), e);
        }
    }

    /** Translates one glob; throws with the glob and the position of what is wrong. */
    static String toRegex(String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "a glob must not be null or empty; use \"**\" to match every key");
        }
        StringBuilder r = new StringBuilder();
        boolean inGroup = false;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
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
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        throw malformed(glob, i, "'[' without a closing ']'");
                    }
                    String body = glob.substring(i + 1, end);
                    r.append('[');
                    int j = 0;
                    if (body.charAt(0) == '!' || body.charAt(0) == '^') {
                        r.append('^');
                        j = 1;
                    }
                    for (; j < body.length(); j++) {
                        char b = body.charAt(j);
                        if (b == '\\' || b == '[' || b == '&' || (b == '^' && j == 0)) {
                            r.append('\\');
                        }
                        r.append(b);
                    }
                    r.append(']');
                    i = end;
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
                    r.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                }
                default -> r.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        if (inGroup) {
            throw malformed(glob, glob.length(), "'{' without a closing '}'");
        }
        return r.toString();
    }

    private static S3ReconException malformed(String glob, int at, String what) {
        return new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the glob \"" + glob + "\" has " + what
                + " at position " + at + "; escape a literal character with '\\'");
    }
}
