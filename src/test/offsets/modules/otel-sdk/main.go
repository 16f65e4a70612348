// Program otel-sdk exists to be built against each release of go.opentelemetry.io/otel/sdk so that the offsets
// table can read its struct layouts from its DWARF. It is never traced: it only has to make the linker keep
// the recording span (its span context and parent) the SDK probe reads.
package main

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func main() {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	ctx, parent := tp.Tracer("offsets").Start(context.Background(), "parent")
	_, child := tp.Tracer("offsets").Start(ctx, "child")
	child.End()
	parent.End()
	fmt.Println(child.SpanContext().IsValid())
}
