// Program kafka-go exists to be built against each release of github.com/segmentio/kafka-go so that
// the offsets table can read its struct layouts from its DWARF. It is never run against a broker: it
// only has to make the linker keep the writer's and reader's paths (WriteMessages, produce,
// FetchMessage) and the types they use.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	w := &kafka.Writer{Addr: kafka.TCP("127.0.0.1:1"), Topic: "t", RequiredAcks: kafka.RequireAll}
	fmt.Println(w.WriteMessages(ctx, kafka.Message{Key: []byte("k"), Value: []byte("v"),
		Headers: []kafka.Header{{Key: "traceparent", Value: []byte("x")}}}))
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{"127.0.0.1:1"}, Topic: "t", GroupID: "g"})
	m, err := r.FetchMessage(ctx)
	fmt.Println(m.Offset, err)
}
