/**
 * Apache Kafka as a route output ({@link io.streamtee.kafka.KafkaOutputFactory}: one record per datagram, keyed by
 * the route) and a route input ({@link io.streamtee.kafka.KafkaInputFactory}: a topic read in a consumer group, with
 * committed offsets), plugged into the relay by its output and input SPIs under the {@code kafka://} scheme.
 */
package io.streamtee.kafka;
