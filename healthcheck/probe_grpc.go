package healthcheck

import (
	"context"
	"net"
	"net/netip"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// grpcProber calls grpc.health.v1.Health/Check on a fresh connection per probe.
type grpcProber struct {
	s     *Spec
	creds credentials.TransportCredentials
	opts  []grpc.DialOption // the credentials, and a dialer from the engine's Source
}

func newGRPCProber(s *Spec, source netip.Addr) (*grpcProber, error) {
	p := &grpcProber{s: s, creds: insecure.NewCredentials()}
	if source.IsValid() {
		// Only then: gRPC's own dialer (proxy settings included) otherwise.
		d := net.Dialer{LocalAddr: localAddr(source)}
		p.opts = append(p.opts, grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			return d.DialContext(ctx, "tcp", addr)
		}))
	}
	if s.TLS {
		host, _, _ := cutPort(s.Target)
		c, err := tlsConfig(s, host)
		if err != nil {
			return nil, err
		}
		p.creds = credentials.NewTLS(c)
	}
	p.opts = append(p.opts, grpc.WithTransportCredentials(p.creds))
	return p, nil
}

func (p *grpcProber) probe(ctx context.Context) Result {
	conn, err := grpc.NewClient(p.s.Target, p.opts...)
	if err != nil {
		return failure(ctx, err)
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: p.s.Service})
	if err != nil {
		r := failure(ctx, err)
		switch status.Code(err) {
		case codes.DeadlineExceeded:
			r.Kind = KindTimeout
		case codes.NotFound:
			r.Kind = KindNotServe
		}
		return r
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return Result{Kind: KindNotServe, Detail: resp.GetStatus().String()}
	}
	return Result{OK: true, Kind: KindOK}
}
