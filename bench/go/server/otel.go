// SPDX-License-Identifier: Apache-2.0

//go:build otel

package main

import (
	"context"
	"log"
	"net/http"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
)

// Manual instrumentation, what a user would pick instead of an agent: the OTel Go SDK with a batch
// span processor exporting over OTLP gRPC (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME and the
// other OTEL_* variables apply), otelhttp around the server's handler and the client's transport,
// and one client span around the database query.

var tracer trace.Tracer

func setupTelemetry() func() {
	ctx := context.Background()
	exp, err := otlptracegrpc.New(ctx)
	if err != nil {
		log.Fatalf("otlp exporter: %v", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	tracer = tp.Tracer("tracebee.bench/server")
	return func() {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		tp.Shutdown(ctx)
	}
}

func wrapHandler(h http.Handler) http.Handler { return otelhttp.NewHandler(h, "server") }

func wrapTransport(t http.RoundTripper) http.RoundTripper { return otelhttp.NewTransport(t) }

func querySpan(ctx context.Context, name string) (context.Context, func(error)) {
	ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(semconv.DBSystemNamePostgreSQL, attribute.String("db.query.text",
			"SELECT name FROM bench_items WHERE id = $1")))
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}
