package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.util.ArrayList;
import java.util.List;

/** Splits one CSV line into fields (RFC 4180: commas, double quotes, {@code ""} for a quote). Stateless. */
final class CsvLine {

    private CsvLine() {
    }

    /**
     * Splits a line.
     *
     * @param line the line, without its line break
     * @param where the file and line, for the message
     * @return the fields, unquoted
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} for an unterminated
     *     quote or text after a closing quote
     */
    static List<String> split(String line, String where) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            field.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, where
                                + ": unterminated quoted field (a record must be on one line)");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, where
                            + ": text after a closing quote in column " + (fields.size() + 1));
                }
            } else {
                while (i < n && line.charAt(i) != ',') {
                    field.append(line.charAt(i++));
                }
            }
            fields.add(field.toString());
            if (i >= n) {
                return fields;
            }
            i++; // the comma
        }
    }
}
