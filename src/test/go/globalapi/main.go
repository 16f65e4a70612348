// Command globalapi is the Go service tracebee's tests attach to for spans an application makes by hand
// through the OpenTelemetry global API (go.opentelemetry.io/otel) with no SDK registered: every span is a
// non-recording one, so only tracebee's probes on the API can rebuild them.
//
// It prints exactly one line "listening on <host:port>" once the listener is bound.
//
//	GET /ping     answers "pong"
//	GET /global   makes the spans below with otel.Tracer("tracebee.test/global") and answers "ok":
//	              "handle" (SERVER, typed attributes, OK status, a start timestamp it gives)
//	                └ "child-draft" renamed "child" (a link at start and one added later, an event with
//	                  attributes, a recorded error, ERROR status; attributes set through the span the
//	                  context holds) which GETs /ping on this server with its context
//	              and a new root "detached" (WithNewRoot, explicit end timestamp)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Ids of the spans the test expects the links to point at.
var (
	linkedTrace  = trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	startLink    = trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
	addedLink    = trace.SpanID{0x53, 0x99, 0x5c, 0x3f, 0x42, 0xcd, 0x8a, 0xd8}
	startedAt    = time.Date(2026, 11, 21, 12, 0, 0, 123456789, time.UTC)
	detachedEnds = time.Date(2026, 11, 21, 12, 0, 1, 0, time.UTC)
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") })
	mux.HandleFunc("/global", func(w http.ResponseWriter, r *http.Request) {
		handle(r.Context(), "http://"+ln.Addr().String()+"/ping")
		fmt.Fprint(w, "ok")
	})
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
}

func handle(ctx context.Context, pingURL string) {
	tracer := otel.Tracer("tracebee.test/global")
	ctx, span := tracer.Start(ctx, "handle",
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithTimestamp(startedAt),
		trace.WithAttributes(
			attribute.String("app.string", "value"),
			attribute.Int("app.int", 42),
			attribute.Float64("app.float", 1.5),
			attribute.Bool("app.bool", true),
			attribute.StringSlice("app.strings", []string{"a", "bc"}),
			attribute.Int64Slice("app.ints", []int64{1, -2}),
			attribute.Float64Slice("app.floats", []float64{0.5}),
			attribute.BoolSlice("app.bools", []bool{true, false}),
		))
	defer span.End()

	child(ctx, tracer, pingURL)
	span.SetStatus(codes.Ok, "")

	_, detached := tracer.Start(ctx, "detached", trace.WithNewRoot())
	detached.End(trace.WithTimestamp(detachedEnds))
}

func child(ctx context.Context, tracer trace.Tracer, pingURL string) {
	ctx, span := tracer.Start(ctx, "child-draft",
		trace.WithLinks(trace.Link{
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: linkedTrace, SpanID: startLink, Remote: true}),
			Attributes:  []attribute.KeyValue{attribute.String("link.kind", "start")},
		}))
	defer span.End()
	span.SetName("child")
	// the span the context holds is another box of the same span
	trace.SpanFromContext(ctx).SetAttributes(attribute.String("app.via", "context"))
	span.AddEvent("step", trace.WithAttributes(attribute.Int("step.n", 1)))
	if err := get(ctx, pingURL); err != nil {
		log.Print(err)
	}
	span.AddLink(trace.Link{
		SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: linkedTrace, SpanID: addedLink,
			TraceFlags: trace.FlagsSampled}),
		Attributes: []attribute.KeyValue{attribute.Int("link.n", 2)},
	})
	span.RecordError(errors.New("boom"))
	span.SetStatus(codes.Error, "failed")
}

// get is an instrumented-style client call: the request carries the caller's context.
func get(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
