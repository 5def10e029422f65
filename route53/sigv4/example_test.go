package sigv4_test

import (
	"fmt"
	"log"
	"net/http"

	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/sigv4"
)

// The API server puts every Route 53 operation behind Auth.
func ExampleAuth() {
	keys, err := sigv4.LoadCredentials("/etc/coredns/route53-credentials") // mode 0600
	if err != nil {
		log.Fatal(err) // e.g. "... has mode 0644: group or others may read it; run chmod 600 ..."
	}
	auth := sigv4.NewAuth(keys, sigv4.Options{
		MaxBody: 1 << 20,
		Rate:    5, Burst: 10, // per access key
		OnDeny: func(r *http.Request, keyID string, err *apierr.Error) {
			log.Printf("route53 api: refused %s %s from %s (key %q): %s", r.Method, r.URL.Path, r.RemoteAddr, keyID, err.Code)
		},
	})
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, _ := sigv4.AccessKeyID(r.Context()) // recorded with every change batch
		fmt.Fprintln(w, caller)
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8053", auth.Wrap(api)))
}
