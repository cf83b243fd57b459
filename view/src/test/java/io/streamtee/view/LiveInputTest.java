package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.ts.AccessUnitAssembler;
import io.streamtee.ts.TsListener;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** LiveInput's parts, without sockets. */
class LiveInputTest {
    @Test
    void theVideoWatchForwardsEveryCallbackTheAssemblerTakes() throws Exception {
        for (Method m : TsListener.class.getMethods()) {
            Method assembler = AccessUnitAssembler.class.getMethod(m.getName(), m.getParameterTypes());
            if (assembler.getDeclaringClass() != AccessUnitAssembler.class) {
                continue; // the assembler keeps the default: nothing to forward
            }
            assertThat(LiveInput.VideoWatch.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass())
                    .as("LiveInput.VideoWatch forwards %s (else the default drops it)", m.getName())
                    .isEqualTo(LiveInput.VideoWatch.class);
        }
    }
}
