// Command kafkaapp is the Go service tracebee's kafka-go tests attach to: an HTTP server whose
// handler produces Kafka messages, and consumer loops that handle each message with a child
// operation (an HTTP call back into this server), so one request is one trace:
// server -> producer -> consumer -> client -> server.
//
// It prints exactly one line "listening on <host:port>" once the listener is bound, and one line
// "consumed <topic> <partition> <offset> <key> <value>" per message handled.
//
//	GET /produce?topic=T&writer=W&n=N&key=K&value=V&traceparent=TP
//	    one WriteMessages call with N messages (default 1) on writer W:
//	      sync   RequiredAcks=RequireAll, topic set on each Message (Writer.Topic empty)
//	      acks0  the README's writer: Writer.Topic set, RequiredAcks left at its zero value (RequireNone)
//	      async  Async=true with RequireAll: WriteMessages returns before the broker answers
//	    value V (message i of N gets V-i when N > 1), key K when given, a traceparent header TP when given
//	GET /ack?...      answers "ok"; the consumers' child operation
//
// Flags: -addr, -brokers (comma-separated), -group G with -group-topics a,b (one Reader with GroupID
// per topic, FetchMessage + CommitMessages), -partition-topics c,d (one partition-0 Reader per topic,
// ReadMessage).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	brokers := flag.String("brokers", "127.0.0.1:9092", "Kafka bootstrap servers, comma-separated")
	group := flag.String("group", "kafkaapp", "consumer group of the -group-topics readers")
	groupTopics := flag.String("group-topics", "", "topics read by a Reader with GroupID, comma-separated")
	partitionTopics := flag.String("partition-topics", "", "topics whose partition 0 is read without a group")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	self := "http://" + ln.Addr().String()
	app := &app{brokers: strings.Split(*brokers, ","), writers: map[string]*kafka.Writer{}}
	for _, t := range split(*groupTopics) {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: app.brokers, GroupID: *group, Topic: t,
			MaxWait: 100 * time.Millisecond, StartOffset: kafka.FirstOffset})
		go consume(r, true, self)
	}
	for _, t := range split(*partitionTopics) {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: app.brokers, Topic: t, Partition: 0,
			MaxWait: 100 * time.Millisecond})
		go consume(r, false, self)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/produce", app.produce)
	mux.HandleFunc("/ack", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
}

type app struct {
	brokers []string
	mu      sync.Mutex
	writers map[string]*kafka.Writer
}

// writer returns the writer of one kind (and, for those that carry it, one topic), made on first use.
func (a *app) writer(kind, topic string) (*kafka.Writer, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id := kind + "/" + topic
	if w := a.writers[id]; w != nil {
		return w, nil
	}
	w := &kafka.Writer{Addr: kafka.TCP(a.brokers...), BatchTimeout: 5 * time.Millisecond}
	switch kind {
	case "sync":
		w.RequiredAcks = kafka.RequireAll
	case "acks0":
		w.Topic = topic
	case "async":
		w.Topic = topic
		w.RequiredAcks = kafka.RequireAll
		w.Async = true
	default:
		return nil, fmt.Errorf("unknown writer %q", kind)
	}
	a.writers[id] = w
	return w, nil
}

func (a *app) produce(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind, topic := q.Get("writer"), q.Get("topic")
	wr, err := a.writer(kind, topic)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n, _ := strconv.Atoi(q.Get("n"))
	if n < 1 {
		n = 1
	}
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		m := &msgs[i]
		m.Value = []byte(q.Get("value"))
		if n > 1 {
			m.Value = []byte(fmt.Sprintf("%s-%d", q.Get("value"), i))
		}
		if k := q.Get("key"); k != "" {
			m.Key = []byte(k)
		}
		if tp := q.Get("traceparent"); tp != "" {
			m.Headers = []kafka.Header{{Key: "app", Value: []byte("kafkaapp")}, {Key: "traceparent", Value: []byte(tp)}}
		}
		if wr.Topic == "" {
			m.Topic = topic
		}
	}
	if err := wr.WriteMessages(r.Context(), msgs...); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "produced %d", n)
}

// consume handles messages one at a time until the reader fails: each one is acknowledged to this
// server over HTTP, a child operation of the message's consumer span.
func consume(r *kafka.Reader, group bool, self string) {
	ctx := context.Background()
	for {
		var m kafka.Message
		var err error
		if group {
			m, err = r.FetchMessage(ctx)
		} else {
			m, err = r.ReadMessage(ctx)
		}
		if err != nil {
			log.Printf("reader of %s stopped: %v", r.Config().Topic, err)
			return
		}
		ack := fmt.Sprintf("%s/ack?topic=%s&partition=%d&offset=%d", self, url.QueryEscape(m.Topic), m.Partition, m.Offset)
		if resp, err := http.Get(ack); err == nil {
			resp.Body.Close()
		} else {
			log.Printf("ack failed: %v", err)
		}
		if group {
			if err := r.CommitMessages(ctx, m); err != nil {
				log.Printf("commit failed: %v", err)
			}
		}
		fmt.Fprintf(os.Stdout, "consumed %s %d %d %s %s\n", m.Topic, m.Partition, m.Offset, m.Key, m.Value)
	}
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
