package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// targetsMain serves the health check targets: every path answers 200 "ok" (what the
// checks expect), except GET /_stats, which answers the number of requests served so
// far by this process, so the driver can count the probes that really arrived.
// With -ports it listens on those ports, with -n on N free ports; it prints one
// "listening 127.0.0.1:PORT" line per port, then "ready".
func targetsMain(args []string) error {
	fs := flag.NewFlagSet("targets", flag.ExitOnError)
	ports := fs.String("ports", "", "comma-separated ports")
	n := fs.Int("n", 0, "listen on N free ports instead")
	fs.Parse(args)
	pl, err := parsePorts(*ports)
	if err != nil {
		return err
	}
	for range *n {
		pl = append(pl, 0)
	}
	if len(pl) == 0 {
		return errors.New("need -ports or -n")
	}
	var served atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_stats" {
			fmt.Fprintln(w, served.Load())
			return
		}
		served.Add(1)
		w.Write([]byte("ok\n"))
	})
	errs := make(chan error, len(pl))
	for _, p := range pl {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return err
		}
		fmt.Println("listening", ln.Addr())
		go func() { errs <- http.Serve(ln, h) }()
	}
	fmt.Println("ready")
	return <-errs
}

func parsePorts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := strconv.Atoi(f)
		if err != nil || p < 1 || p > 65535 {
			return nil, fmt.Errorf("bad port %q", f)
		}
		out = append(out, p)
	}
	return out, nil
}
