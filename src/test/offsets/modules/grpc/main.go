// Program grpc exists to be built against each release of google.golang.org/grpc so that the offsets table
// can read the transport's struct layouts from its DWARF. It is never run: it only has to make the linker keep
// every type the probes read — a server and a client over TLS (the transport's connection wrapper), a health
// call (streams, the loopy writer's new-stream item), and a status error.
package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func main() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	s := grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{})))
	healthpb.RegisterHealthServer(s, health.NewServer())
	go s.Serve(lis)
	cc, err := grpc.Dial(lis.Addr().String(), grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{})))
	if err != nil {
		panic(err)
	}
	_, err = healthpb.NewHealthClient(cc).Check(context.Background(), &healthpb.HealthCheckRequest{})
	fmt.Println(status.Code(err), status.Error(codes.NotFound, "x"))
}
