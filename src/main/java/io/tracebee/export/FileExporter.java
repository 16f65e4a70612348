package io.tracebee.export;

import io.smallrye.mutiny.Uni;
import io.tracebee.span.Span;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Appends spans to a file as OTLP JSON lines, one {@code {"resourceSpans":[...]}} object per export,
 * in the format the OpenTelemetry Collector's file exporter writes (so its tools and receivers read it).
 */
public final class FileExporter implements SpanExporter {
    private final Path path;
    private final Object lock = new Object();
    private FileChannel channel;
    private boolean closed;

    public FileExporter(Path path) {
        this.path = path;
    }

    @Override
    public String name() {
        return "file";
    }

    public Path path() {
        return path;
    }

    @Override
    public Uni<ExportResult> export(List<Span> spans) {
        return Uni.createFrom().item(() -> write(spans));
    }

    private ExportResult write(List<Span> spans) {
        if (spans.isEmpty()) {
            return ExportResult.ok();
        }
        byte[] json;
        try {
            json = OtlpJsonEncoder.encodeToBytes(spans);
        } catch (RuntimeException e) {
            return ExportResult.failure(e);
        }
        ByteBuffer line = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        synchronized (lock) {
            if (closed) {
                return ExportResult.failure("file exporter is shut down");
            }
            try {
                if (channel == null) {
                    Path parent = path.toAbsolutePath().getParent();
                    if (parent != null) {
                        Files.createDirectories(parent);
                    }
                    channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.APPEND);
                }
                while (line.hasRemaining()) {
                    channel.write(line);
                }
                return ExportResult.ok();
            } catch (IOException | RuntimeException e) {
                // Reopen next time: the file may have been rotated away or the disk freed up.
                closeQuietly();
                return ExportResult.failure("cannot write " + path + ": " + e);
            }
        }
    }

    @Override
    public Uni<Void> shutdown() {
        return Uni.createFrom().item(() -> {
            synchronized (lock) {
                closed = true;
                closeQuietly();
            }
            return null;
        });
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to save
            }
            channel = null;
        }
    }
}
