package io.github.s3recon.inventory.internal;

import io.github.s3recon.inventory.internal.ListObjectsV2PageParser.MalformedPageException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The XML half of {@link ListObjectsV2PageParser}: one cursor over one page's UTF-8 bytes, the
 * decoding arena, and the reading of the document's structure (prolog, start and end tags, leaf
 * values, skipped elements, comments, processing instructions, CDATA, text, entities and character
 * references), refusing what the parser does not take on. The parser extends it, so that both
 * halves work on the same fields of one object: a tokenizer object of its own would cost a call and
 * a field load through another object for every byte ({@code PageParserBenchmark}).
 *
 * <p>Not thread-safe, as the parser.
 */
abstract class XmlPageScanner {

    static final byte[] CDATA = ascii("<![CDATA[");

    // Byte classes for the text scanners: 0 is plain text, ending nothing and needing no decoding.
    static final byte PLAIN = 0;
    static final byte LT = 1;
    static final byte SPECIAL = 2;
    static final byte[] CLASS = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            // Control characters, '&' (entities), '>' (for "]]>"), '\r' (line ends are normalized)
            // and every non-ASCII byte (UTF-8 to validate) need a closer look.
            CLASS[c] = c < 0x20 || c >= 0x80 || c == '&' || c == '>' ? SPECIAL : PLAIN;
        }
        CLASS['<'] = LT;
    }

    // Byte classes of element names: 0 continues a name, 1 ends it, 2 is refused (a namespace
    // prefix, or what cannot be in a name).
    static final byte NAME = 0;
    static final byte NAME_END = 1;
    static final byte[] NAME_CLASS = new byte[256];

    static {
        for (int c = 0; c < 0x20; c++) {
            NAME_CLASS[c] = 2;
        }
        for (char c : new char[] {':', '<', '&', '"', '\'', '='}) {
            NAME_CLASS[c] = 2;
        }
        for (char c : new char[] {'>', '/', ' ', '\t', '\n', '\r'}) {
            NAME_CLASS[c] = NAME_END;
        }
    }

    // The page being parsed.
    byte[] buf;
    int pos;
    int limit;

    // The last tag read: its name and whether it closed itself.
    int nameStart;
    int nameEnd;
    boolean selfClosing;

    // The last value read: either buf[textStart, textEnd) as is (plain: ASCII without anything to
    // decode), or decoded UTF-8 in arena[textStart, textEnd).
    int textStart;
    int textEnd;
    boolean textInArena;
    byte[] arena = new byte[1024];
    int arenaLength;

    // ---- XML structure ----

    /** Skips the prolog: the XML declaration, comments, processing instructions and white space. */
    void prolog() {
        if (startsWith(pos, "<?xml".getBytes(StandardCharsets.US_ASCII)) && isWhitespace(buf[pos + 5])) {
            int end = indexOf(pos + 5, (byte) '?', (byte) '>');
            checkDeclaration(pos + 5, end);
            pos = end + 2;
        }
        while (true) {
            skipWhitespace();
            if (pos >= limit) {
                throw fail("no root element");
            }
            if (buf[pos] != '<') {
                throw fail("text before the root element");
            }
            byte next = buf[pos + 1];
            if (next == '?') {
                processingInstruction();
            } else if (next == '!') {
                if (buf[pos + 2] == '-' && buf[pos + 3] == '-') {
                    comment();
                } else {
                    throw fail("a DOCTYPE");
                }
            } else {
                return;
            }
        }
    }

    /**
     * Refuses XML 1.1 (other characters are allowed) and any encoding but UTF-8: the SDK's parser
     * would read those differently.
     */
    void checkDeclaration(int from, int to) {
        byte[] v10 = "1.0".getBytes(StandardCharsets.US_ASCII);
        boolean version10 = false;
        for (int p = from; p + v10.length <= to; p++) {
            version10 |= Arrays.equals(buf, p, p + v10.length, v10, 0, v10.length);
        }
        if (!version10) {
            throw fail("an XML version other than 1.0");
        }
        byte[] name = "encoding".getBytes(StandardCharsets.US_ASCII);
        for (int p = from; p + name.length <= to; p++) {
            if (Arrays.equals(buf, p, p + name.length, name, 0, name.length)) {
                int q = p + name.length;
                while (q < to && (isWhitespace(buf[q]) || buf[q] == '=')) {
                    q++;
                }
                byte quote = buf[q];
                int close = q + 1;
                while (close < to && buf[close] != quote) {
                    close++;
                }
                String value = new String(buf, q + 1, close - q - 1, StandardCharsets.ISO_8859_1);
                if (!value.equalsIgnoreCase("UTF-8") && !value.equalsIgnoreCase("UTF8")) {
                    throw fail("an encoding other than UTF-8");
                }
                return;
            }
        }
    }

    /**
     * Moves to the next child element of the element named buf[start, end), reading its start tag;
     * returns false after reading the element's end tag. Text between children is checked and
     * ignored, as the SDK ignores it.
     */
    boolean nextChild(int start, int end) {
        while (true) {
            int p = skipText(pos);
            pos = p;
            byte next = buf[p + 1];
            if (next == '/') {
                nameStart = start;
                nameEnd = end;
                endTag();
                return false;
            }
            if (next == '!' || next == '?') {
                skipMarkup(p, next);
            } else {
                readStartTag();
                return true;
            }
        }
    }

    /**
     * Skips what an element may hold besides text and elements, at {@code p} ({@code <} followed by
     * {@code next}, {@code !} or {@code ?}): a comment, a CDATA section (its text is not a value
     * here), a processing instruction; any other declaration is refused.
     */
    private void skipMarkup(int p, byte next) {
        if (next == '?') {
            processingInstruction();
        } else if (buf[p + 2] == '-' && buf[p + 3] == '-') {
            comment();
        } else if (startsWith(p, CDATA)) {
            pos = skipCdata(p + CDATA.length, false);
        } else {
            throw fail("a declaration inside an element");
        }
    }

    /** Skips the element whose start tag was just read, with everything in it. */
    void skipElement() {
        if (selfClosing) {
            return;
        }
        // The names of the open elements, as (start, end) pairs, to match their end tags.
        int[] open = new int[16];
        open[0] = nameStart;
        open[1] = nameEnd;
        int depth = 1;
        while (depth > 0) {
            int p = skipText(pos);
            pos = p;
            byte next = buf[p + 1];
            if (next == '/') {
                depth--;
                nameStart = open[2 * depth];
                nameEnd = open[2 * depth + 1];
                endTag();
            } else if (next == '!' || next == '?') {
                skipMarkup(p, next);
            } else {
                readStartTag();
                if (!selfClosing) {
                    if (2 * depth + 2 > open.length) {
                        open = Arrays.copyOf(open, open.length * 2);
                    }
                    open[2 * depth] = nameStart;
                    open[2 * depth + 1] = nameEnd;
                    depth++;
                }
            }
        }
    }

    /**
     * Reads the value of the element whose start tag was just read, through its end tag, into
     * textStart/textEnd/textInArena. Text, entities and CDATA sections are joined as the SDK joins
     * them; a child element, comment or processing instruction inside the value is left to the SDK
     * (which would keep only the text after it).
     */
    void leaf() {
        if (selfClosing) {
            textStart = 0;
            textEnd = 0;
            textInArena = false;
            return;
        }
        int tagStart = nameStart;
        int tagEnd = nameEnd;
        byte[] b = buf;
        int start = pos;
        int p = start;
        int cls;
        while ((cls = CLASS[b[p] & 0xFF]) == PLAIN) {
            p++;
        }
        if (cls == LT && b[p + 1] == '/') {
            textStart = start;
            textEnd = p;
            textInArena = false;
            pos = p;
            endTag();
            return;
        }
        // Slow path: decode into the arena, joining CDATA sections.
        int arenaStart = arenaLength;
        p = start;
        while (true) {
            p = decodeText(p);
            if (b[p + 1] == '/') {
                break;
            }
            if (!startsWith(p, CDATA)) {
                throw fail("markup inside a value");
            }
            p = skipCdata(p + CDATA.length, true);
        }
        textStart = arenaStart;
        textEnd = arenaLength;
        textInArena = true;
        pos = p;
        nameStart = tagStart;
        nameEnd = tagEnd;
        endTag();
    }

    /** Reads a start tag at pos ('<'): its name, attributes (skipped) and whether it closes itself. */
    void readStartTag() {
        byte[] b = buf;
        int p = pos + 1;
        int start = p;
        int cls;
        while ((cls = NAME_CLASS[b[p] & 0xFF]) == NAME) {
            p++;
        }
        if (cls != NAME_END) {
            throw fail("an element name with a namespace prefix or odd characters");
        }
        if (p == start) {
            throw fail("an element without a name");
        }
        if (b[p] == '>') {
            // The usual tag: a bare name.
            nameStart = start;
            nameEnd = p;
            selfClosing = false;
            pos = p + 1;
            return;
        }
        nameStart = start;
        nameEnd = p;
        while (true) {
            while (isWhitespace(b[p])) {
                p++;
            }
            byte c = b[p];
            if (c == '>') {
                selfClosing = false;
                pos = p + 1;
                return;
            }
            if (c == '/') {
                if (b[p + 1] != '>') {
                    throw fail("a malformed tag");
                }
                selfClosing = true;
                pos = p + 2;
                return;
            }
            if (p == nameEnd) {
                throw fail("an attribute glued to the element name");
            }
            // An attribute: name, '=', a quoted value without '<'.
            int attributeStart = p;
            while (b[p] != '=' && !isWhitespace(b[p])) {
                if (b[p] == '>' || b[p] == '/' || b[p] == '<') {
                    throw fail("an attribute without a value");
                }
                p++;
            }
            if (p == attributeStart) {
                throw fail("an attribute without a name");
            }
            while (isWhitespace(b[p])) {
                p++;
            }
            if (b[p] != '=') {
                throw fail("an attribute without a value");
            }
            p++;
            while (isWhitespace(b[p])) {
                p++;
            }
            byte quote = b[p];
            if (quote != '"' && quote != '\'') {
                throw fail("an unquoted attribute value");
            }
            p++;
            while (b[p] != quote) {
                if (b[p] == '<') {
                    throw fail("'<' in an attribute value");
                }
                p++;
            }
            p++;
            if (!isWhitespace(b[p]) && b[p] != '>' && b[p] != '/') {
                throw fail("attributes without space between them");
            }
        }
    }

    /** Reads the end tag at pos ("</") that must close the element named buf[nameStart, nameEnd). */
    void endTag() {
        byte[] b = buf;
        int p = pos + 2;
        // Names are short: a plain loop beats Arrays.equals' call.
        for (int q = nameStart; q < nameEnd; q++, p++) {
            if (b[p] != b[q]) {
                throw fail("an end tag that does not match its start tag");
            }
        }
        while (isWhitespace(b[p])) {
            p++;
        }
        if (b[p] != '>') {
            throw fail("an end tag that does not match its start tag");
        }
        pos = p + 1;
    }

    void comment() {
        // "<!--" ... "-->", and no "--" inside, as XML requires.
        int p = pos + 4;
        byte[] b = buf;
        while (true) {
            if (b[p] == '-' && b[p + 1] == '-') {
                if (b[p + 2] != '>') {
                    throw fail("'--' inside a comment");
                }
                pos = p + 3;
                return;
            }
            p++;
        }
    }

    void processingInstruction() {
        int p = pos + 2;
        if ((buf[p] | 0x20) == 'x' && (buf[p + 1] | 0x20) == 'm' && (buf[p + 2] | 0x20) == 'l'
                && (isWhitespace(buf[p + 3]) || buf[p + 3] == '?')) {
            throw fail("an XML declaration after the start");
        }
        pos = indexOf(p, (byte) '?', (byte) '>') + 2;
    }

    /** Skips (and checks) a CDATA section's content from p; with decode, appends it to the arena. */
    int skipCdata(int p, boolean decode) {
        byte[] b = buf;
        while (true) {
            byte c = b[p];
            if (c == ']' && b[p + 1] == ']' && b[p + 2] == '>') {
                return p + 3;
            }
            if (c >= 0x20) {
                if (decode) {
                    append(c);
                }
                p++;
            } else if (c == '\r') {
                if (decode) {
                    append((byte) '\n');
                }
                p += b[p + 1] == '\n' ? 2 : 1;
            } else if (c == '\n' || c == '\t') {
                if (decode) {
                    append(c);
                }
                p++;
            } else if (c < 0) {
                int length = Utf8.sequence(b, p, limit, true);
                if (length < 0) {
                    throw fail("invalid UTF-8");
                }
                if (decode) {
                    append(b, p, length);
                }
                p += length;
            } else {
                throw fail("a control character");
            }
        }
    }

    /** Checks text from p up to the next '<' and returns that position; the text is ignored. */
    int skipText(int p) {
        byte[] b = buf;
        while (true) {
            int cls;
            while ((cls = CLASS[b[p] & 0xFF]) == PLAIN) {
                p++;
            }
            if (cls == LT) {
                return p;
            }
            p = special(p, false);
        }
    }

    /** Decodes text from p up to the next '<' into the arena; returns that position. */
    int decodeText(int p) {
        byte[] b = buf;
        while (true) {
            int start = p;
            int cls;
            while ((cls = CLASS[b[p] & 0xFF]) == PLAIN) {
                p++;
            }
            append(b, start, p - start);
            if (cls == LT) {
                return p;
            }
            p = special(p, true);
        }
    }

    /**
     * Handles one special byte of text at p (see {@link #CLASS}): checks it and, with decode,
     * appends what it stands for to the arena. Returns the position after it.
     */
    int special(int p, boolean decode) {
        byte[] b = buf;
        byte c = b[p];
        if (c == '&') {
            return entity(p, decode);
        }
        if (c == '>') {
            if (p >= 2 && b[p - 1] == ']' && b[p - 2] == ']') {
                throw fail("']]>' in text");
            }
            if (decode) {
                append(c);
            }
            return p + 1;
        }
        if (c == '\r') {
            // XML turns "\r\n" and a lone '\r' into '\n'.
            if (decode) {
                append((byte) '\n');
            }
            return b[p + 1] == '\n' ? p + 2 : p + 1;
        }
        if (c == '\n' || c == '\t') {
            if (decode) {
                append(c);
            }
            return p + 1;
        }
        if (c < 0) {
            int length = Utf8.sequence(b, p, limit, true);
            if (length < 0) {
                throw fail("invalid UTF-8 or a character XML does not allow");
            }
            if (decode) {
                append(b, p, length);
            }
            return p + length;
        }
        throw fail("a control character XML does not allow");
    }

    /** Reads an entity or character reference at p ('&'); returns the position after its ';'. */
    int entity(int p, boolean decode) {
        byte[] b = buf;
        int codePoint;
        int end;
        if (b[p + 1] == '#') {
            int q = p + 2;
            int radix = 10;
            if (b[q] == 'x') {
                radix = 16;
                q++;
            }
            int digitsStart = q;
            long value = 0;
            while (b[q] != ';') {
                int d = radix == 16 ? hex(b[q]) : (b[q] >= '0' && b[q] <= '9' ? b[q] - '0' : -1);
                if (d < 0 || q - digitsStart >= 8) {
                    throw fail("a malformed character reference");
                }
                value = value * radix + d;
                q++;
            }
            if (q == digitsStart || !Utf8.isXmlChar(value)) {
                throw fail("a character reference to a character XML does not allow");
            }
            codePoint = (int) value;
            end = q + 1;
        } else {
            int q = p + 1;
            while (b[q] != ';') {
                if (q - p > 5) {
                    throw fail("an unknown entity");
                }
                q++;
            }
            int length = q - p - 1;
            if (length == 3 && b[p + 1] == 'a' && b[p + 2] == 'm' && b[p + 3] == 'p') {
                codePoint = '&';
            } else if (length == 2 && b[p + 1] == 'l' && b[p + 2] == 't') {
                codePoint = '<';
            } else if (length == 2 && b[p + 1] == 'g' && b[p + 2] == 't') {
                codePoint = '>';
            } else if (length == 4 && b[p + 1] == 'q' && b[p + 2] == 'u' && b[p + 3] == 'o' && b[p + 4] == 't') {
                codePoint = '"';
            } else if (length == 4 && b[p + 1] == 'a' && b[p + 2] == 'p' && b[p + 3] == 'o' && b[p + 4] == 's') {
                codePoint = '\'';
            } else {
                throw fail("an unknown entity");
            }
            end = q + 1;
        }
        if (decode) {
            appendCodePoint(codePoint);
        }
        return end;
    }

    // ---- Small helpers ----

    void append(byte c) {
        if (arenaLength == arena.length) {
            arena = Arrays.copyOf(arena, arena.length * 2);
        }
        arena[arenaLength++] = c;
    }

    void append(byte[] src, int from, int length) {
        if (arenaLength + length > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaLength + length));
        }
        System.arraycopy(src, from, arena, arenaLength, length);
        arenaLength += length;
    }

    void appendCodePoint(int c) {
        if (c < 0x80) {
            append((byte) c);
        } else if (c < 0x800) {
            append((byte) (0xC0 | c >> 6));
            append((byte) (0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            append((byte) (0xE0 | c >> 12));
            append((byte) (0x80 | (c >> 6 & 0x3F)));
            append((byte) (0x80 | (c & 0x3F)));
        } else {
            append((byte) (0xF0 | c >> 18));
            append((byte) (0x80 | (c >> 12 & 0x3F)));
            append((byte) (0x80 | (c >> 6 & 0x3F)));
            append((byte) (0x80 | (c & 0x3F)));
        }
    }

    boolean nameIs(byte[] name) {
        return rangeIs(buf, nameStart, nameEnd, name);
    }

    /** Whether b[from, to) holds s; names and enum values are short, so a loop beats Arrays.equals. */
    static boolean rangeIs(byte[] b, int from, int to, byte[] s) {
        if (to - from != s.length) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (b[from + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    boolean startsWith(int p, byte[] s) {
        if (p + s.length > limit) {
            return false;
        }
        byte[] b = buf;
        for (int i = 0; i < s.length; i++) {
            if (b[p + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    int indexOf(int p, byte first, byte second) {
        for (; p + 1 < limit; p++) {
            if (buf[p] == first && buf[p + 1] == second) {
                return p;
            }
        }
        throw fail("the page ends in the middle of markup");
    }

    void skipWhitespace() {
        while (pos < limit && isWhitespace(buf[pos])) {
            pos++;
        }
    }

    static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r';
    }

    static MalformedPageException fail(String what) {
        return new MalformedPageException("not parsed directly: " + what);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    // Where a value's text is: as is in the page (plain ASCII), or decoded in the arena.
    static final byte IN_BUF_PLAIN = 0;
    static final byte IN_ARENA = 1;

    /** A value's text as a string, from where {@code flags} says it is. */
    String text(int start, int end, byte flags) {
        return flags == IN_BUF_PLAIN ? new String(buf, start, end - start, StandardCharsets.ISO_8859_1)
                : new String(arena, start, end - start, StandardCharsets.UTF_8);
    }

    /** The last value read, as a string. */
    String textString() {
        return text(textStart, textEnd, textInArena ? IN_ARENA : IN_BUF_PLAIN);
    }

    /** Reads the leaf element whose start tag was just read and returns its value. */
    String leafString() {
        leaf();
        return textString();
    }
}
