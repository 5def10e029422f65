// Command endpoints runs the demo's pretend servers: one HTTP listener per address,
// answering GET /health with 200 while up and 503 while down. `make run` starts it
// beside coredns so the health checks in demo/policy.yaml have something to probe,
// and so a user can fail a site on purpose:
//
//	curl -X POST http://127.0.0.1:9001/down   # fra-1 fails its health check
//	curl -X POST http://127.0.0.1:9001/up     # and recovers
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync/atomic"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003,127.0.0.1:9004", "comma-separated addresses")
	flag.Parse()
	addrs := strings.Split(*listen, ",")
	errs := make(chan error, len(addrs))
	for _, addr := range addrs {
		go func() { errs <- http.ListenAndServe(addr, newEndpoint(addr)) }()
	}
	log.Printf("demo endpoints up on %s (POST /down or /up to flip one)", *listen)
	log.Fatal(<-errs)
}

func newEndpoint(addr string) http.Handler {
	var down atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			http.Error(w, "down on purpose", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("POST /down", func(w http.ResponseWriter, _ *http.Request) {
		down.Store(true)
		log.Printf("%s is now down", addr)
		fmt.Fprintln(w, addr, "down")
	})
	mux.HandleFunc("POST /up", func(w http.ResponseWriter, _ *http.Request) {
		down.Store(false)
		log.Printf("%s is now up", addr)
		fmt.Fprintln(w, addr, "up")
	})
	return mux
}
