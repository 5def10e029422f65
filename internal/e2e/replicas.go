package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

// The access key every replica of a Replicas set accepts.
const (
	ReplicaAccessKey = "AKIDREPLICAS"
	ReplicaSecretKey = "replicas-secret"
)

// Replicas is a shared store and the coretraffic processes serving it: a
// 3-member etcd cluster on loopback and one process per replica, each with
// route53api and policy on `store etcd { ... }`, its own replica name, a geo
// database (so answers depend on the client subnet), prometheus and ready.
type Replicas struct {
	Etcd  []*etcdtest.Member
	Nodes []*Replica
	// Prefix is the store's key prefix in etcd.
	Prefix string
}

// ReplicaOptions shape a Replicas set.
type ReplicaOptions struct {
	// N is the number of coretraffic processes (default 3).
	N int
	// Endpoints picks replica i's etcd endpoints (default: every member, in
	// an order starting at member i%len). OwnMember gives each replica one.
	Endpoints func(i int, members []*etcdtest.Member) []string
	// Snapshot gives each replica a local snapshot file (store etcd's snapshot).
	Snapshot bool
	// Retry makes the API clients retry as the SDK does by default; without
	// it they do not, so a test sees each answer.
	Retry bool
	// Extra is added to each server block (after policy).
	Extra string
}

// OwnMember is a ReplicaOptions.Endpoints: replica i talks to member i only, so
// pausing that member cuts off that replica alone while the others keep a quorum.
func OwnMember(i int, ms []*etcdtest.Member) []string {
	return []string{ms[i%len(ms)].ClientURL}
}

// Replica is one coretraffic process of a Replicas set, restartable on the same
// ports, Corefile and snapshot.
type Replica struct {
	Name      string
	DNS       string // 127.0.0.1:port, UDP and TCP
	API       string // http://127.0.0.1:port
	Metrics   string // 127.0.0.1:port of /metrics
	Ready     string // 127.0.0.1:port of /ready
	Endpoints []string
	Dir       string
	Corefile  string
	Server    *Server
	Client    *route53.Client

	bin string
	t   testing.TB
}

// StartReplicas starts a 3-member etcd cluster and o.N coretraffic processes
// serving it; every process answers DNS when it returns. Everything stops at
// the test's cleanup.
func StartReplicas(t testing.TB, o ReplicaOptions) *Replicas {
	t.Helper()
	if o.N == 0 {
		o.N = 3
	}
	if o.Endpoints == nil {
		o.Endpoints = func(i int, ms []*etcdtest.Member) []string {
			eps := etcdtest.Endpoints(ms)
			return append(eps[i%len(eps):], eps[:i%len(eps)]...)
		}
	}
	bin := CoreTraffic(t)
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	geoDB := filepath.Join(root, "geo", "testdata", "demo-city.mmdb")
	rs := &Replicas{Etcd: etcdtest.StartCluster(t, 3, etcdtest.Config{}), Prefix: "/coretraffic-e2e/"}
	creds := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(creds, []byte(fmt.Sprintf("[replicas]\naws_access_key_id = %s\naws_secret_access_key = %s\n", ReplicaAccessKey, ReplicaSecretKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := range o.N {
		r := &Replica{
			Name:      fmt.Sprintf("r%d", i),
			DNS:       fmt.Sprintf("127.0.0.1:%d", FreePort(t)),
			API:       fmt.Sprintf("http://127.0.0.1:%d", FreePort(t)),
			Metrics:   fmt.Sprintf("127.0.0.1:%d", FreePort(t)),
			Ready:     fmt.Sprintf("127.0.0.1:%d", FreePort(t)),
			Endpoints: o.Endpoints(i, rs.Etcd),
			Dir:       t.TempDir(),
			bin:       bin,
			t:         t,
		}
		block := fmt.Sprintf("store etcd {\n            endpoint %s\n            prefix %s\n            name %s\n",
			strings.Join(r.Endpoints, " "), rs.Prefix, r.Name)
		if o.Snapshot {
			block += fmt.Sprintf("            snapshot %s\n", filepath.Join(r.Dir, "snapshot"))
		}
		block += "        }"
		r.Corefile = fmt.Sprintf(`.:%s {
    bind 127.0.0.1
    geo %s
    healthcheck
    route53api 127.0.0.1:%s {
        %s
        credentials %s
        rate 1000000
    }
    policy {
        %s
    }
    prometheus %s
    ready %s
%s}
`, port(r.DNS), geoDB, port(r.API), block, creds, block, r.Metrics, r.Ready, o.Extra)
		opts := route53.Options{BaseEndpoint: aws.String(r.API), Region: "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider(ReplicaAccessKey, ReplicaSecretKey, "")}
		if !o.Retry {
			opts.Retryer = aws.NopRetryer{}
		}
		r.Client = route53.New(opts)
		rs.Nodes = append(rs.Nodes, r)
	}
	for _, r := range rs.Nodes {
		r.Start()
	}
	return rs
}

func port(addr string) string {
	_, p, _ := strings.Cut(strings.TrimPrefix(addr, "http://"), ":")
	return p
}

// Start runs the replica's process (again, after Kill) and waits until it
// answers DNS over UDP and TCP.
func (r *Replica) Start() {
	r.t.Helper()
	r.Server = Start(r.t, r.bin, r.Corefile, r.Dir, r.DNS)
}

// Launch starts the replica's process again without waiting for it to answer, to
// watch what it does from its first instant.
func (r *Replica) Launch() {
	r.t.Helper()
	s, err := Launch(r.t, r.bin, r.Corefile, r.Dir)
	if err != nil {
		r.t.Fatalf("launch %s: %v", r.Name, err)
	}
	s.Addr = r.DNS
	r.Server = s
}

// Kill ends the process with SIGKILL and waits for it to be gone.
func (r *Replica) Kill() {
	r.t.Helper()
	if err := r.Server.Signal(syscall.SIGKILL); err != nil {
		r.t.Fatalf("kill %s: %v", r.Name, err)
	}
	if _, err := r.Server.Wait(10 * time.Second); err != nil {
		r.t.Fatalf("kill %s: %v", r.Name, err)
	}
}

// Alive reports whether the process runs.
func (r *Replica) Alive() bool {
	select {
	case <-r.Server.Exited():
		return false
	default:
		return true
	}
}

// Output is what the current process wrote.
func (r *Replica) Output() string { return r.Server.Output() }

// Outputs is every running replica's output, for failure messages.
func (rs *Replicas) Outputs() string {
	var b strings.Builder
	for _, r := range rs.Nodes {
		out := r.Output()
		if len(out) > 3000 {
			out = out[len(out)-3000:]
		}
		fmt.Fprintf(&b, "--- %s ---\n%s\n", r.Name, out)
	}
	return b.String()
}
