package io.github.s3recon.inventory;

import java.io.IOException;
import java.io.Reader;

/**
 * A streaming RFC 4180 CSV reader: fields separated by commas, records by CRLF or LF, a field in
 * double quotes may hold commas, quotes (doubled) and line breaks. S3 Inventory files have no
 * header row.
 *
 * <p>Memory is one read buffer and the fields of one record, whatever the file's size. Only the
 * columns the caller asks for become Strings: an inventory row has up to twenty columns and a
 * report up to billions of rows, so skipping the rest saves most of the allocation.
 *
 * <p>Not thread-safe: one reader per file, used by one thread.
 */
final class S3InventoryCsv {

    /** Thrown for text that is not CSV; the caller adds the file's name. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    private static final int EOF = -1;

    private final Reader in;
    private final char[] buffer = new char[64 * 1024];
    private int position;
    private int limit;
    private final StringBuilder field = new StringBuilder(256);
    private long line = 1;
    private long recordLine;
    private long records;

    S3InventoryCsv(Reader in) {
        this.in = in;
    }

    /**
     * Reads the next record. Blank lines are skipped. A record with fewer fields than
     * {@code fields.length} leaves the rest null; fields beyond the array are checked and dropped.
     *
     * @param fields receives the wanted fields; entries of unwanted columns are set to null
     * @param wanted which columns to keep, indexed like {@code fields}
     * @return the number of fields the record had, or -1 at the end of the input
     * @throws IOException if reading fails
     * @throws MalformedException if the text is not CSV
     */
    int next(String[] fields, boolean[] wanted) throws IOException, MalformedException {
        int c;
        do {
            c = read();
            if (c == '\n') {
                line++;
            }
        } while (c == '\n' || c == '\r');
        if (c == EOF) {
            return -1;
        }
        java.util.Arrays.fill(fields, null);
        recordLine = line;
        records++;
        int count = 0;
        while (true) {
            boolean keep = count < fields.length && wanted[count];
            field.setLength(0);
            if (c == '"') {
                while (true) {
                    c = read();
                    if (c == EOF) {
                        throw new MalformedException("a quoted field that starts on line " + recordLine
                                + " is never closed");
                    }
                    if (c == '"') {
                        if (peek() != '"') {
                            break;
                        }
                        read();
                    } else if (c == '\n') {
                        line++;
                    }
                    if (keep) {
                        field.append((char) c);
                    }
                }
                c = read();
                if (c != ',' && c != '\n' && c != '\r' && c != EOF) {
                    throw new MalformedException("line " + line + " has '" + (char) c
                            + "' after a closing quote where a comma or the end of the line belongs");
                }
            } else {
                // RFC 4180 forbids quotes in unquoted fields; writers that put them there mean them
                // literally, so they are kept rather than failing a report of millions of rows.
                while (c != ',' && c != '\n' && c != '\r' && c != EOF) {
                    if (keep) {
                        field.append((char) c);
                    }
                    c = read();
                }
            }
            if (keep) {
                fields[count] = field.toString();
            }
            count++;
            if (c == ',') {
                c = read();
                continue;
            }
            if (c == '\r' && peek() == '\n') {
                read();
                c = '\n';
            }
            if (c == '\n' || c == '\r') {
                line++;
            }
            return count;
        }
    }

    /**
     * Returns the line on which the last record started, for messages.
     *
     * @return the 1-based line number
     */
    long recordLine() {
        return recordLine;
    }

    /**
     * Returns the number of the last record read, for messages; records may span lines.
     *
     * @return the 1-based record number
     */
    long recordNumber() {
        return records;
    }

    private int read() throws IOException {
        if (position == limit && !fill()) {
            return EOF;
        }
        return buffer[position++];
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) {
            return EOF;
        }
        return buffer[position];
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buffer, 0, buffer.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }
}
