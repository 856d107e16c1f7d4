package io.github.s3recon.internal.run;

import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ObjectSource;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** TEMPORARY until source.S3BucketSource is merged. */
final class TempBucketSource {
    private TempBucketSource() {
    }

    static ObjectSource of(S3Location location, ObjectLister lister) {
        return new ObjectSource() {
            @Override
            public String describe() {
                return location.toString();
            }

            @Override
            public Optional<S3Location> location() {
                return Optional.of(location);
            }

            @Override
            public boolean listsInKeyOrder() {
                return lister.listsInKeyOrder();
            }

            @Override
            public List<KeyRange> plan(int ranges) {
                return lister.plan(location, ranges);
            }

            @Override
            public Stream<ObjectEntry> list(KeyRange range) {
                return lister.list(location, range);
            }

            @Override
            public Optional<ObjectEntry> attributes(String key) {
                throw new UnsupportedOperationException();
            }

            @Override
            public InputStream open(String key, long offset, long length) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
