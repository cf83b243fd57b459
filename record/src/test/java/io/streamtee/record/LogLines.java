package io.streamtee.record;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The formatted messages logged under a logger name (and its children) while the test runs. */
final class LogLines implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    LogLines(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        lines.start();
        logger.addAppender(lines);
    }

    /** Every line of the record module. */
    static LogLines record() {
        return new LogLines("io.streamtee.record");
    }

    List<String> messages() {
        synchronized (lines.list) {
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(lines);
    }
}
