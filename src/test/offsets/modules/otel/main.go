// Program otel exists to be built against each release of go.opentelemetry.io/otel and of its trace module
// (released together, each requiring the other at the same version) so that the offsets table can read their
// struct layouts from its DWARF. It is never traced: it only has to make the linker keep every type the
// global-API probe reads — the global tracer and its non-recording span, attribute.KeyValue and Value,
// trace.Link and SpanContext. It imports nothing else: a module outside that pair would be resolved to its
// newest release and pull otel up with it.
package main

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

func main() {
	ctx, span := otel.Tracer("offsets").Start(context.Background(), "global",
		trace.WithAttributes(attribute.String("k", "v")),
		trace.WithLinks(trace.Link{SpanContext: trace.SpanContextFromContext(context.Background())}))
	span.SetAttributes(attribute.Int("n", 1))
	span.AddLink(trace.LinkFromContext(ctx))
	span.RecordError(errors.New("e"))
	span.SetStatus(codes.Error, "e")
	span.End()
	fmt.Println(span.SpanContext().IsValid())
}
