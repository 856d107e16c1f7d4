package io.github.s3recon.testkit;

import org.apache.catalina.connector.Connector;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Binds S3Mock's plain-HTTP connector to 127.0.0.1. S3Mock adds that connector as a bean of its
 * own, next to Spring Boot's HTTPS one, and {@code server.address} reaches only the HTTPS one: left
 * alone, the HTTP port listens on every interface of the machine. {@link EmbeddedS3} registers
 * this class as an extra Spring source ({@code spring.main.sources}).
 */
final class S3MockLoopback implements BeanPostProcessor {

    /** The address every testkit server listens on. */
    static final String LOOPBACK = "127.0.0.1";

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof Connector connector) {
            // Tomcat reads "address" when the connector binds, i.e. after this post-processor.
            connector.setProperty("address", LOOPBACK);
        }
        return bean;
    }
}
