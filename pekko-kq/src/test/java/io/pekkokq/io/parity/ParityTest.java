package io.pekkokq.io.parity;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A differential test: the annotated method runs once per driver selected by {@link
 * ParityFixture#drivers()} ({@code -Dkq.parity.drivers=pekko,kq} or env {@code
 * KQ_PARITY_DRIVERS}); it takes the driver name as its only parameter and passes it to
 * {@link ParityFixture#start}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "[{0}]")
@MethodSource("io.pekkokq.io.parity.ParityFixture#drivers")
public @interface ParityTest {}
