package io.streamtee.analyze.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.TsListener;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** The monitor sits between the demuxer and the analyzer's access unit assembler: it must hand every callback on. */
class HealthMonitorForwardingTest {
    @Test
    void theListenerHandsOnEveryCallback() throws Exception {
        for (Method m : TsListener.class.getMethods()) {
            assertThat(HealthMonitor.Listener.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass())
                    .as("HealthMonitor.Listener hands %s on (else the default drops it)", m.getName())
                    .isEqualTo(HealthMonitor.Listener.class);
        }
    }
}
