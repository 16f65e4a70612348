// Command autosdk is the Go service tracebee's manual-span tests attach to: an HTTP server whose handlers create
// spans by hand through the OpenTelemetry Go Auto SDK (go.opentelemetry.io/auto/sdk; go.mod: the newest
// release, go.oldest.mod, used with -modfile: the oldest), the SDK whose spans only an eBPF agent sees.
//
// It prints exactly one line "listening on <host:port>" once the listener is bound.
//
//	GET /ping      answers "pong"
//	GET /manual    the handler (an auto SERVER span) starts "manual-parent" (INTERNAL) from the request's context,
//	               with one attribute of every type; under it "manual-child" (CLIENT) with an event, a link to a
//	               fixed span context and ERROR status, inside which the handler GETs /ping on this server with
//	               the child's context (an auto CLIENT span under a manual one); then "explicit-times" with
//	               fixed start and end timestamps, and "many-attributes" with 200 attributes
//	               (about 13 KB of JSON: the SDK keeps 128 unless OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT says more). Answers "ok".
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
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/auto/sdk"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

var tracer = sdk.TracerProvider().Tracer("tracebee.test/autosdk", trace.WithInstrumentationVersion("1.0.0"))

// linked is the span context the child links to: fixed ids, so the test knows them.
var linked = trace.NewSpanContext(trace.SpanContextConfig{
	TraceID:    trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c},
	SpanID:     trace.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31},
	TraceFlags: trace.FlagsSampled,
})

func manual(addr string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, parent := tracer.Start(r.Context(), "manual-parent", trace.WithAttributes(
			attribute.String("string", "value"),
			attribute.Bool("bool", true),
			attribute.Int64("int", 42),
			attribute.Float64("float", 2.5),
			attribute.StringSlice("strings", []string{"a", "b"}),
			attribute.BoolSlice("bools", []bool{true, false}),
			attribute.Int64Slice("ints", []int64{1, 2, 3}),
			attribute.Float64Slice("floats", []float64{0.5, 1.5}),
		))
		childCtx, child := tracer.Start(ctx, "manual-child", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithLinks(trace.Link{SpanContext: linked, Attributes: []attribute.KeyValue{attribute.String("link.kind", "fixed")}}))
		child.AddEvent("checkpoint", trace.WithAttributes(attribute.Int("step", 1)))
		if err := get(childCtx, "http://"+addr+"/ping"); err != nil {
			log.Print(err)
		}
		child.RecordError(errors.New("manual failure"))
		child.SetStatus(codes.Error, "manual failure")
		child.End()

		start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		_, timed := tracer.Start(ctx, "explicit-times", trace.WithTimestamp(start))
		timed.End(trace.WithTimestamp(start.Add(1500 * time.Millisecond)))

		_, many := tracer.Start(ctx, "many-attributes")
		for i := 0; i < 200; i++ {
			many.SetAttributes(attribute.String("attr."+strconv.Itoa(i), "value-"+strconv.Itoa(i)+"-"+strings.Repeat("x", 40)))
		}
		many.End()

		parent.SetStatus(codes.Ok, "")
		parent.End()
		fmt.Fprint(w, "ok")
	}
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

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") })
	mux.HandleFunc("/manual", manual(ln.Addr().String()))
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
}
