package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// What `setcap cap_net_bind_service=+ep` stores (getfattr -e hex -n security.capability).
const setcapHex = "0100000200040000000000000000000000000000"

func TestNetBindServiceCap(t *testing.T) {
	if got := hex.EncodeToString(NetBindServiceCap()); got != setcapHex {
		t.Fatalf("capability bytes %s, want %s", got, setcapHex)
	}
}

// TestBuildRoundTrip builds an image around this test binary, writes both
// forms and reads each back with go-containerregistry's readers.
func TestBuildRoundTrip(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	img, err := Build(self, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tarPath := filepath.Join(dir, "image.tar")
	if err := Write(img, "example.org/coredns:test", filepath.Join(dir, "oci"), tarPath); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(self)
	fromLayout := readLayout(t, filepath.Join(dir, "oci"))
	fromTar, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string]v1.Image{"layout": fromLayout, "tarball": fromTar} {
		t.Run(name, func(t *testing.T) {
			if got := checkImage(t, img); !bytes.Equal(got, want) {
				t.Errorf("/coredns is %d bytes, not the %d-byte binary given", len(got), len(want))
			}
		})
	}
	m, err := fromLayout.Manifest()
	if err != nil || m.MediaType != types.OCIManifestSchema1 || m.Layers[0].MediaType != types.OCILayer {
		t.Errorf("manifest %v: media types %v / %v, want OCI", err, m.MediaType, m.Layers[0].MediaType)
	}
	again, err := Build(self, "")
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("two builds of one binary differ: %s, %s", d1, d2)
	}
}

// TestMadeImage checks what `make image` wrote ($CORETRAFFIC_IMAGE, default
// ../../bin/image) and runs the extracted binary.
func TestMadeImage(t *testing.T) {
	dir := os.Getenv("CORETRAFFIC_IMAGE")
	if dir == "" {
		dir = filepath.Join("..", "..", "bin", "image")
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		if os.Getenv("CORETRAFFIC_REQUIRE_IMAGE") != "" {
			t.Fatalf("image layout %s: %v (make image)", dir, err)
		}
		t.Skipf("no image layout at %s (make image): %v", dir, err)
	}
	bin := checkImage(t, readLayout(t, dir))
	path := filepath.Join(t.TempDir(), "coredns")
	if err := os.WriteFile(path, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, "-version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "CoreDNS-1.15.0") {
		t.Fatalf("/coredns -version: %v\n%s", err, out)
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("/coredns asks for a dynamic loader (PT_INTERP): not static, it would not run on distroless/static")
		}
	}
	t.Logf("/coredns -version: %s", strings.TrimSpace(string(out)))
}

func readLayout(t *testing.T, dir string) v1.Image {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 {
		t.Fatalf("index: %v, %d manifests, want 1", err, len(im.Manifests))
	}
	if im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] == "" {
		t.Errorf("no ref.name annotation: %v", im.Manifests[0].Annotations)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// checkImage checks the config and the /coredns entry against the official
// image's and returns the binary's bytes.
func checkImage(t *testing.T, img v1.Image) []byte {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Config
	if !slices.Equal(c.Entrypoint, []string{"/coredns"}) || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %q cmd %q, want [/coredns] and none", c.Entrypoint, c.Cmd)
	}
	if c.User != "65532:65532" || c.WorkingDir != "/" {
		t.Errorf("user %q workdir %q, want 65532:65532 and /", c.User, c.WorkingDir)
	}
	for _, port := range []string{"53/tcp", "53/udp"} {
		if _, ok := c.ExposedPorts[port]; !ok {
			t.Errorf("port %s not exposed: %v", port, c.ExposedPorts)
		}
	}
	if cfg.OS != "linux" || cfg.Architecture == "" {
		t.Errorf("platform %s/%s", cfg.OS, cfg.Architecture)
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	var bin []byte
	seen := map[string]*tar.Header{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[h.Name] = h
		if h.Name == "coredns" {
			if bin, err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	h := seen["coredns"]
	if h == nil {
		t.Fatalf("no /coredns in the image; entries %v", seen)
	}
	if got := hex.EncodeToString([]byte(h.PAXRecords[CapabilityXattr])); got != setcapHex {
		t.Errorf("/coredns %s = %q, want %s (cap_net_bind_service=+ep)", CapabilityXattr, got, setcapHex)
	}
	if h.Mode&0o755 != 0o755 || h.Uid != 0 {
		t.Errorf("/coredns mode %o uid %d, want 0755 owned by root", h.Mode, h.Uid)
	}
	if p := seen["etc/passwd"]; p == nil {
		t.Error("no /etc/passwd for user 65532")
	}
	return bin
}
