// Command grpcserver is the Go service tracebee's gRPC tests attach to: a gRPC server (google.golang.org/grpc;
// go.mod: the newest release, go.oldest.mod and go.mid.mod, used with -modfile: older ones) and an HTTP front
// door whose handlers make gRPC calls — to this process's own gRPC server, or to -upstream (another instance).
//
// The gRPC service is written by hand (no protoc here): tracebee.test.Echo with google.protobuf.StringValue
// messages, next to the standard grpc.health.v1.Health service.
//
//	tracebee.test.Echo/Echo    answers its input
//	tracebee.test.Echo/Fail    answers NOT_FOUND (5) with the message "no such thing: <input>"
//	tracebee.test.Echo/Fetch   GETs the URL it is given (the handler's own HTTP client call), answers the body
//	tracebee.test.Echo/Headers answers "tp=<the traceparent metadata it received, comma-separated>"
//	tracebee.test.Echo/C0..C7  wait 300 ms, then answer their input: concurrent calls overlap on one connection
//	tracebee.test.Echo/Chat    a bidirectional stream answering each message with itself
//	tracebee.test.Echo/ChatFail  a bidirectional stream answering its first message with NOT_FOUND (5)
//	                           "no such thing: <message>"
//
// It prints exactly one line "listening on <host:port>" (the HTTP front door) once both listeners are bound.
//
//	GET /ping                          answers "pong"
//	GET /grpc-addr                     answers the gRPC listener's address
//	GET /call?method=M&value=V         unary tracebee.test.Echo/M (M containing "/" is a full method name,
//	                                   "health" is grpc.health.v1.Health/Check); optional tp=<traceparent> and
//	                                   ts=<tracestate> sent as metadata, nest=1 makes the client interceptor run a Health/Check RPC
//	                                   inside the call; size=N sends N bytes of "a" instead of value, pad=N adds
//	                                   N bytes of metadata x-pad; answers "code=<n> value=<reply>" (or the error
//	                                   message)
//	GET /concurrent?n=N                N concurrent calls C0..C<N-1> from goroutines of this handler, all on
//	                                   one connection; answers "ok" or the first error
//	GET /stream?method=M&n=N&value=V   a streaming tracebee.test.Echo/M: sends N messages V0..V<N-1>, closes
//	                                   its side and reads to the end; cancel=1 cancels the stream's context
//	                                   after the first answer instead (the stream then ends on grpc's
//	                                   watcher goroutine); answers "code=<n> count=<answers>"
//
// The client's stream interceptor wraps every stream in a type of its own, as middleware does: the probes
// cannot take NewStream's result for grpc's stream.
//
// -tls serves gRPC over TLS with a certificate made at start-up (the client trusts it): the transport's
// connection is then wrapped, which the probes must see through.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

const service = "tracebee.test.Echo"

type unary func(ctx context.Context, in string) (string, error)

// methodDesc adapts fn to grpc's generated-code shape: decode the request, run through the interceptor if any.
func methodDesc(name string, fn unary) grpc.MethodDesc {
	call := func(ctx context.Context, req any) (any, error) {
		out, err := fn(ctx, req.(*wrapperspb.StringValue).GetValue())
		if err != nil {
			return nil, err
		}
		return wrapperspb.String(out), nil
	}
	return grpc.MethodDesc{
		MethodName: name,
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			if interceptor == nil {
				return call(ctx, in)
			}
			return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + service + "/" + name}, call)
		},
	}
}

func echoService() *grpc.ServiceDesc {
	echo := func(ctx context.Context, in string) (string, error) { return in, nil }
	methods := []grpc.MethodDesc{
		methodDesc("Echo", echo),
		methodDesc("Fail", func(ctx context.Context, in string) (string, error) {
			return "", status.Error(codes.NotFound, "no such thing: "+in)
		}),
		methodDesc("Fetch", fetch),
		methodDesc("Headers", func(ctx context.Context, in string) (string, error) {
			md, _ := metadata.FromIncomingContext(ctx)
			return "tp=" + strings.Join(md.Get("traceparent"), ","), nil
		}),
	}
	for i := 0; i < 8; i++ {
		methods = append(methods, methodDesc("C"+strconv.Itoa(i), func(ctx context.Context, in string) (string, error) {
			time.Sleep(300 * time.Millisecond)
			return in, nil
		}))
	}
	streams := []grpc.StreamDesc{
		{StreamName: "Chat", Handler: chat(false), ServerStreams: true, ClientStreams: true},
		{StreamName: "ChatFail", Handler: chat(true), ServerStreams: true, ClientStreams: true},
	}
	return &grpc.ServiceDesc{ServiceName: service, HandlerType: (*any)(nil), Methods: methods, Streams: streams}
}

// chat answers each message with itself until the client closes its side, or fails on the first one.
func chat(fail bool) grpc.StreamHandler {
	return func(srv any, stream grpc.ServerStream) error {
		for {
			in := new(wrapperspb.StringValue)
			if err := stream.RecvMsg(in); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if fail {
				return status.Error(codes.NotFound, "no such thing: "+in.GetValue())
			}
			if err := stream.SendMsg(in); err != nil {
				return err
			}
		}
	}
}

// wrappedStream is a stream interceptor's own ClientStream, as logging or retry middleware returns.
type wrappedStream struct {
	grpc.ClientStream
	sent int
}

func (w *wrappedStream) SendMsg(m any) error {
	w.sent++
	return w.ClientStream.SendMsg(m)
}

func wrapStreams(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		return nil, err
	}
	return &wrappedStream{ClientStream: s}, nil
}

// stream runs one streaming call: n messages out, then every answer in (or a cancel after the first).
func stream(ctx context.Context, cc *grpc.ClientConn, method string, n int, value string, cancelEarly bool) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	desc := &grpc.StreamDesc{StreamName: method, ServerStreams: true, ClientStreams: true}
	s, err := cc.NewStream(ctx, desc, "/"+service+"/"+method)
	if err != nil {
		return 0, err
	}
	for i := 0; i < n; i++ {
		if err := s.SendMsg(wrapperspb.String(value + strconv.Itoa(i))); err != nil {
			break // the answer to RecvMsg says why
		}
	}
	if !cancelEarly {
		if err := s.CloseSend(); err != nil {
			return 0, err
		}
	}
	count := 0
	for {
		out := new(wrapperspb.StringValue)
		if err := s.RecvMsg(out); err == io.EOF {
			return count, nil
		} else if err != nil {
			return count, err
		}
		count++
		if cancelEarly {
			cancel()
			// the watcher goroutine ends the stream; wait for it, as an application would see it
			<-s.Context().Done()
			time.Sleep(50 * time.Millisecond)
			return count, status.FromContextError(ctx.Err()).Err()
		}
	}
}

// fetch is the handler making an HTTP call of its own: with the handler's context, as instrumented code does.
func fetch(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", status.Error(codes.InvalidArgument, err.Error())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", status.Error(codes.Unavailable, err.Error())
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

type nestKey struct{}

// nestInterceptor runs a Health/Check RPC inside the call when the context asks for it: an RPC nested in an RPC
// on one goroutine.
func nestInterceptor(health healthpb.HealthClient) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if nest, _ := ctx.Value(nestKey{}).(bool); nest {
			if _, err := health.Check(context.WithValue(ctx, nestKey{}, false), &healthpb.HealthCheckRequest{}); err != nil {
				return err
			}
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "HTTP listen address")
	grpcAddr := flag.String("grpc", "127.0.0.1:0", "gRPC listen address")
	upstream := flag.String("upstream", "", "gRPC server the front door calls (default: this process's own)")
	useTLS := flag.Bool("tls", false, "serve and call gRPC over TLS (a certificate made at start-up)")
	flag.Parse()

	lis, err := net.Listen("tcp", *grpcAddr)
	if err != nil {
		log.Fatal(err)
	}
	serverCreds, clientCreds := insecure.NewCredentials(), insecure.NewCredentials()
	if *useTLS {
		serverCreds, clientCreds = selfSigned()
	}
	srv := grpc.NewServer(grpc.Creds(serverCreds))
	srv.RegisterService(echoService(), nil)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { log.Fatal(srv.Serve(lis)) }()

	target := *upstream
	if target == "" {
		target = lis.Addr().String()
	}
	var healthClient healthpb.HealthClient
	cc, err := grpc.NewClient(target, grpc.WithTransportCredentials(clientCreds),
		grpc.WithChainStreamInterceptor(wrapStreams),
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			return nestInterceptor(healthClient)(ctx, method, req, reply, cc, invoker, opts...)
		}))
	if err != nil {
		log.Fatal(err)
	}
	healthClient = healthpb.NewHealthClient(cc)

	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") })
	mux.HandleFunc("/grpc-addr", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, lis.Addr().String()) })
	mux.HandleFunc("/call", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ctx := r.Context()
		if tp := q.Get("tp"); tp != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "traceparent", tp)
		}
		if ts := q.Get("ts"); ts != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "tracestate", ts)
		}
		if q.Get("nest") == "1" {
			ctx = context.WithValue(ctx, nestKey{}, true)
		}
		if pad, _ := strconv.Atoi(q.Get("pad")); pad > 0 {
			ctx = metadata.AppendToOutgoingContext(ctx, "x-pad", strings.Repeat("X", pad)) // X: no shorter in Huffman, sent as is
		}
		value := q.Get("value")
		if size, _ := strconv.Atoi(q.Get("size")); size > 0 {
			value = strings.Repeat("a", size)
		}
		var reply string
		var err error
		switch m := q.Get("method"); {
		case m == "health":
			var out *healthpb.HealthCheckResponse
			out, err = healthClient.Check(ctx, &healthpb.HealthCheckRequest{})
			reply = out.GetStatus().String()
		default:
			if !strings.Contains(m, "/") {
				m = "/" + service + "/" + m
			}
			out := new(wrapperspb.StringValue)
			err = cc.Invoke(ctx, m, wrapperspb.String(value), out)
			reply = out.GetValue()
		}
		if err != nil {
			fmt.Fprintf(w, "code=%d %s", status.Code(err), status.Convert(err).Message())
			return
		}
		fmt.Fprintf(w, "code=0 value=%s", reply)
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		n, _ := strconv.Atoi(q.Get("n"))
		count, err := stream(r.Context(), cc, q.Get("method"), n, q.Get("value"), q.Get("cancel") == "1")
		fmt.Fprintf(w, "code=%d count=%d", status.Code(err), count)
	})
	mux.HandleFunc("/concurrent", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if n < 1 || n > 8 {
			n = 8
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				out := new(wrapperspb.StringValue)
				errs <- cc.Invoke(r.Context(), "/"+service+"/C"+strconv.Itoa(i), wrapperspb.String(strconv.Itoa(i)), out)
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
		}
		fmt.Fprint(w, "ok")
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
}

// selfSigned makes a certificate for 127.0.0.1 and credentials that serve it and trust it.
func selfSigned() (credentials.TransportCredentials, credentials.TransportCredentials) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "tracebee-test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	client := credentials.NewTLS(&tls.Config{RootCAs: pool})
	return server, client
}
