/**
 * The MQTT sink: events to a broker such as Mosquitto, in Frigate's topic layout so Home Assistant users know it
 * ({@code streamtee/events}, retained {@code streamtee/CAMERA/motion} and {@code .../health},
 * {@code streamtee/available} with a last will). Configured from one URL, see {@link
 * io.streamtee.analyze.sink.mqtt.MqttSettings}.
 */
package io.streamtee.analyze.sink.mqtt;
