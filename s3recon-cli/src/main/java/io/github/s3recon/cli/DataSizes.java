package io.github.s3recon.cli;

import io.github.s3recon.DataSize;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a size flag: {@code 16MiB}, {@code 512KiB}, {@code 1GiB}, {@code 5000} (bytes); the
 * units are binary ({@code MB} is read as MiB, as the AWS CLI does). Stateless.
 */
public final class DataSizes implements ITypeConverter<DataSize> {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([kmgt]i?b?|b)?");

    @Override
    public DataSize convert(String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a size like 16MiB, 512KiB, 1GiB or 5000 (bytes)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is too large");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).substring(0, 1);
        int shift = switch (unit) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
            throw new TypeConversionException("'" + value + "' is too large");
        }
        return DataSize.ofBytes(n << shift);
    }
}
