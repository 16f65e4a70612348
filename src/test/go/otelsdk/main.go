// Command otelsdk is the Go service tracebee's tests attach to for spans an application makes with its own
// registered OpenTelemetry Go SDK (go.opentelemetry.io/otel/sdk), which exports them itself: tracebee must
// make its automatic spans children of them. The SDK here records into memory (a synchronous in-memory
// exporter), so the test can learn the SDK span's ids from the response.
//
// It prints exactly one line "listening on <host:port>" once the listener is bound.
//
//	GET /ping    answers "pong"
//	GET /sdk     starts the SDK span "sdk-parent" from the request's context, GETs /ping on this server with
//	             the span's context (an automatic CLIENT span under an SDK span), ends it, and answers
//	             "trace=<trace id> span=<span id> sampled=<bool>" of sdk-parent; ?sample=0 makes the SDK
//	             sample the span out
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	sampled := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewInMemoryExporter()))
	unsampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	otel.SetTracerProvider(sampled)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") })
	mux.HandleFunc("/sdk", func(w http.ResponseWriter, r *http.Request) {
		tracer := otel.Tracer("tracebee.test/otelsdk")
		if r.URL.Query().Get("sample") == "0" {
			tracer = unsampled.Tracer("tracebee.test/otelsdk")
		}
		ctx, span := tracer.Start(r.Context(), "sdk-parent")
		if err := get(ctx, "http://"+ln.Addr().String()+"/ping"); err != nil {
			log.Print(err)
		}
		span.End()
		sc := span.SpanContext()
		fmt.Fprintf(w, "trace=%s span=%s sampled=%t", sc.TraceID(), sc.SpanID(), sc.IsSampled())
	})
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
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
