/**
 * {@code streamtee serve} (issue 12): one YAML file for any number of cameras, each a relay route whose copies go to
 * its recorder, analyzer and viewer. Being built: so far only the configuration model ({@link
 * io.streamtee.serve.ServeConfig}, read and checked by {@link io.streamtee.serve.ServeYaml}); nothing here opens a
 * socket yet. Every key is described in {@code serve.example.yml} at the repository root.
 *
 * <p>Dependencies run one way: this package uses relay, record, analyze, view and core; nothing uses it yet.
 */
package io.streamtee.serve;
