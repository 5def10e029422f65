// Command image writes the coretraffic container image — the static coredns
// binary at /coredns, run as 65532 with cap_net_bind_service, entrypoint as the
// official coredns image — as an OCI layout and a tarball, without Docker.
//
//	go run . -bin ../../bin/coredns-static -out ../../bin/image -tar ../../bin/coredns-image.tar
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	bin := flag.String("bin", "", "static coredns binary (CGO_ENABLED=0)")
	out := flag.String("out", "", "OCI image layout directory to write")
	tarPath := flag.String("tar", "", "also write a docker/containerd tarball here")
	ref := flag.String("ref", "coretraffic/coredns:dev", "image name and tag recorded in the layout and tarball")
	ca := flag.String("ca", "/etc/ssl/certs/ca-certificates.crt", "CA bundle to include (\"\" for none)")
	flag.Parse()
	if *bin == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if *ca != "" {
		if _, err := os.Stat(*ca); err != nil {
			fmt.Fprintf(os.Stderr, "image: CA bundle %s: %v (pass -ca \"\" to leave it out)\n", *ca, err)
			os.Exit(1)
		}
	}
	img, err := Build(*bin, *ca)
	if err == nil {
		err = Write(img, *ref, *out, *tarPath)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	d, _ := img.Digest()
	fmt.Printf("%s %s -> %s\n", *ref, d, *out)
}
