package io.streamtee.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a YAML config into a Java record (every command reads its config this way), with one-line errors a person can
 * act on:
 *
 * <ul>
 *   <li>text that is not YAML: {@code streamtee.yml:4:7: mapping values are not allowed here} (file, line, column);
 *   <li>a key the record does not have: {@code streamtee.yml: routes.cam.outptus: unknown key (known: ...)};
 *   <li>a value of the wrong kind: {@code streamtee.yml: routes.cam.outputs: expected a list, e.g. [a, b]}.
 * </ul>
 *
 * <p>Hostile input is bounded (issue 16): an alias ({@code *name}) is refused with its line, so a billion-laughs bomb
 * cannot grow (Jackson would not expand it anyway, it would silently read the alias as the text {@code name}); a
 * document longer than {@value #MAX_CODE_POINTS} code points, or nested deeper than {@value #MAX_DEPTH}, is refused
 * in one line before it is read further.
 */
public final class Yaml {
    /** The longest document read, in code points (a config is kilobytes; this is room for thousands of cameras). */
    public static final int MAX_CODE_POINTS = 4 * 1024 * 1024;
    /** The largest config file read, in bytes: {@link #MAX_CODE_POINTS} of up to four UTF-8 bytes each. */
    public static final long MAX_FILE_BYTES = 4L * MAX_CODE_POINTS;
    /** The deepest nesting of mappings and lists read (a config nests a handful of levels). */
    public static final int MAX_DEPTH = 64;

    // rebuild(): Jackson's default parser features (an empty value reads as null), then the limits
    private static final ObjectMapper MAPPER = new ObjectMapper(new BoundedFactory(new YAMLFactory().rebuild()
            .loaderOptions(loaderOptions())
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxDocumentLength(MAX_CODE_POINTS).build())))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Yaml() {
    }

    /**
     * Parses {@code text} into {@code type}; null for an empty document.
     *
     * @param source names the text in errors, e.g. the file name
     * @throws ConfigException one line, starting with {@code source}
     */
    public static <T> T read(String source, String text, Class<T> type) {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw error(source, e);
        }
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setMaxAliasesForCollections(0);
        options.setAllowDuplicateKeys(true); // Jackson decides about duplicates, as before
        return options;
    }

    /** A YAML factory whose parsers refuse aliases. */
    private static final class BoundedFactory extends YAMLFactory {
        BoundedFactory(YAMLFactoryBuilder builder) {
            super(builder);
        }

        @Override
        protected YAMLParser _createParser(char[] data, int offset, int len, IOContext ctxt, boolean recyclable) {
            return new NoAliases(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec,
                    new CharArrayReader(data, offset, len));
        }

        @Override
        protected YAMLParser _createParser(Reader r, IOContext ctxt) {
            return new NoAliases(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
        }
    }

    /** Refuses an alias where Jackson would read it as the text of its anchor's name. */
    private static final class NoAliases extends YAMLParser {
        NoAliases(IOContext ctxt, int features, int yamlFeatures, LoaderOptions options, ObjectCodec codec,
                Reader reader) {
            super(ctxt, features, yamlFeatures, options, codec, reader);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken token = super.nextToken();
            if (isCurrentAlias()) {
                throw new JsonParseException(this, "aliases are not supported (*" + getText()
                        + "): write the value out", currentTokenLocation());
            }
            return token;
        }
    }

    /**
     * The text of a config file, refused in one line when it is missing, unreadable, or larger than
     * {@link #MAX_FILE_BYTES} (checked before reading, so a huge file costs no memory).
     *
     * @throws ConfigException starting with the file name
     */
    public static String readFile(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ConfigException(file + ": " + size / (1024 * 1024) + " MiB, more than a config file may be ("
                        + MAX_FILE_BYTES / (1024 * 1024) + " MiB)");
            }
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The one-line message for a Jackson error. */
    static ConfigException error(String source, JsonProcessingException e) {
        // a syntax error can come wrapped in a mapping error: the one from the parser has the position
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
                // SnakeYAML's own report: the problem and where it is (its context may start lines earlier)
                return new ConfigException(source + ":" + (m.getProblemMark().getLine() + 1) + ":"
                        + (m.getProblemMark().getColumn() + 1) + ": " + firstLine(m.getProblem()), e);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamReadException syntax && !(t instanceof JsonMappingException)) {
                return new ConfigException(source + where(syntax.getLocation()) + ": "
                        + firstLine(syntax.getOriginalMessage()), e);
            }
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).collect(Collectors.toCollection(TreeSet::new)).toString();
            return new ConfigException(source + ": " + path(u) + ": unknown key"
                    + (known.length() <= 2 ? "" : " (known: " + known.substring(1, known.length() - 1) + ")"), e);
        }
        if (e instanceof JsonMappingException m) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof MismatchedInputException mi && mi.getTargetType() != null) {
                    return new ConfigException(source + ": " + path(m) + ": " + expected(mi.getTargetType()), e);
                }
            }
            return new ConfigException(source + ": " + path(m) + ": " + firstLine(m.getOriginalMessage()), e);
        }
        return new ConfigException(source + where(e.getLocation()) + ": " + firstLine(e.getOriginalMessage()), e);
    }

    /** {@code :LINE:COLUMN}, or nothing when the parser did not say. */
    private static String where(JsonLocation at) {
        if (at == null || at.getLineNr() < 1) {
            return "";
        }
        return ":" + at.getLineNr() + (at.getColumnNr() >= 1 ? ":" + at.getColumnNr() : "");
    }

    /** The key path of a mapping error: {@code routes.cam.outputs[1]}. */
    public static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "(top level)" : sb.toString();
    }

    private static String expected(Class<?> type) {
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "expected a mapping (key: value lines)";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "expected a list, e.g. [a, b]";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "expected a whole number";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "expected a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "expected true or false";
        }
        return "expected text";
    }

    private static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "not valid YAML";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
