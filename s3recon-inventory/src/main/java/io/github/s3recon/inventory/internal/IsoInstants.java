package io.github.s3recon.inventory.internal;

import java.time.Instant;

/**
 * The timestamps of a ListObjectsV2 page, parsed from the page's bytes without a String or a
 * formatter: the listing parses one per key, millions per second. Stateless.
 */
final class IsoInstants {

    private IsoInstants() {
    }

    /**
     * Parses {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with valid fields, the form S3 writes, to what
     * {@code DateUtils.parseIso8601Date} (ISO_INSTANT) gives for it; returns null for anything else,
     * which the SDK's own parser then reads.
     */
    static Instant parse(byte[] b, int start, int end) {
        int length = end - start;
        if (length < 20 || length > 30 || b[start + 4] != '-' || b[start + 7] != '-' || b[start + 10] != 'T'
                || b[start + 13] != ':' || b[start + 16] != ':' || b[end - 1] != 'Z') {
            return null;
        }
        int year = digits(b, start, 4);
        int month = digits(b, start + 5, 2);
        int day = digits(b, start + 8, 2);
        int hour = digits(b, start + 11, 2);
        int minute = digits(b, start + 14, 2);
        int second = digits(b, start + 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        int p = start + 19;
        if (p < end - 1) {
            int fraction = end - 1 - (p + 1);
            if (b[p] != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            int value = digits(b, p + 1, fraction);
            if (value < 0) {
                return null;
            }
            for (int i = fraction; i < 9; i++) {
                value *= 10;
            }
            nanos = value;
        }
        long days = epochDay(year, month, day);
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    private static int digits(byte[] b, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    private static int daysInMonth(int year, int month) {
        switch (month) {
            case 2:
                return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }

    /** Days from 1970-01-01, as {@link java.time.LocalDate#toEpochDay()} counts them. */
    private static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y;
        total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        total += (367 * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) {
                total--;
            }
        }
        return total - 719_528;
    }
}
