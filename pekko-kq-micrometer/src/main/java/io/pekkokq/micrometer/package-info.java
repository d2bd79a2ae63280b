/**
 * pekko-kq's metrics as Micrometer meters: {@link io.pekkokq.micrometer.KqMicrometer}. An
 * optional module: the core jar does not depend on Micrometer. docs/operations.md lists
 * the meters.
 */
package io.pekkokq.micrometer;
