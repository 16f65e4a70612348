// Command otlpsend sends one span over OTLP/gRPC (insecure) to -endpoint and exits.
// It is a smoke check for the test collector: the span must show up in the file exporter output.
//
//	otlpsend -endpoint 127.0.0.1:4317 [-service otlpsend] [-name smoke-span]
//
// On success it prints "sent trace_id=<hex> span_id=<hex>" and exits 0.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

func main() {
	endpoint := flag.String("endpoint", "127.0.0.1:4317", "OTLP gRPC endpoint host:port")
	service := flag.String("service", "otlpsend", "service.name resource attribute")
	name := flag.String("name", "smoke-span", "span name")
	timeout := flag.Duration("timeout", 10*time.Second, "overall timeout")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	exp, err := otlptracegrpc.New(ctx,
		otlptracegrpc.WithEndpoint(*endpoint),
		otlptracegrpc.WithInsecure(),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}),
	)
	if err != nil {
		log.Fatalf("exporter: %v", err)
	}
	res := resource.NewSchemaless(semconv.ServiceName(*service))
	// Syncer: the span is exported (and any error reported) when it ends.
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(res))

	// With a syncer, export errors go to the global handler rather than back to the caller.
	var mu sync.Mutex
	var failed error
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if failed == nil {
			failed = err
		}
	}))

	_, span := tp.Tracer("tracebee.test/otlpsend").Start(ctx, *name,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("test.kind", "smoke")))
	sc := span.SpanContext()
	span.End()

	if err := tp.Shutdown(ctx); err != nil {
		otel.Handle(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if failed != nil {
		fmt.Fprintf(os.Stderr, "otlpsend: %v\n", failed)
		os.Exit(1)
	}
	fmt.Printf("sent trace_id=%s span_id=%s\n", sc.TraceID(), sc.SpanID())
}
