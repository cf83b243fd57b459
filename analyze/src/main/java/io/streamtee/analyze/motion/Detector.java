package io.streamtee.analyze.motion;

/**
 * The seam between the decoded pictures and what finds things in them: small grey frames in, {@link Detections} out.
 * The motion detector is one; an object detector can be another.
 *
 * <p>Contract: one thread calls {@link #detect} and {@link #close}. {@code detect} must not keep the frame (nor its
 * bytes) after it returns. The returned {@link Detections} may be an instance the detector reuses: it is valid until
 * the next call to {@code detect}; copy what you keep. {@link #close} is idempotent; {@code detect} after close throws
 * {@link IllegalStateException}.
 */
public interface Detector extends AutoCloseable {
    /** Looks at one frame; frames arrive in stream order. */
    Detections detect(GreyFrame frame);

    @Override
    void close();
}
