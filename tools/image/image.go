package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Entrypoint is the official coredns image's ENTRYPOINT; it has no CMD, so the
// Deployment's args (kubeadm: -conf /etc/coredns/Corefile) are the arguments.
var Entrypoint = []string{"/coredns"}

// Build assembles the image: one OCI layer from rootfs, and a config matching
// the official Dockerfile (ENTRYPOINT, USER 65532:65532, WORKDIR /, EXPOSE 53
// and 53/udp), for linux on this machine's architecture (the binary's).
func Build(binaryPath, caBundle string) (v1.Image, error) {
	gz, err := rootfs(binaryPath, caBundle)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		CreatedBy: "coretraffic tools/image: /coredns with cap_net_bind_service=+ep",
		Created:   v1.Time{Time: epoch},
	}})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", runtime.GOARCH
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config.Entrypoint = Entrypoint
	cfg.Config.Cmd = nil
	cfg.Config.User = fmt.Sprintf("%d:%d", NonRoot, NonRoot)
	cfg.Config.WorkingDir = "/"
	cfg.Config.ExposedPorts = map[string]struct{}{"53/tcp": {}, "53/udp": {}}
	cfg.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	return mutate.ConfigFile(img, cfg)
}

// Write stores img as an OCI image layout in dir (replacing what was there),
// tagged ref, and, when tarPath is set, as a `docker load` / `ctr images
// import` / `kind load image-archive` tarball too.
func Write(img v1.Image, ref, dir, tarPath string) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return fmt.Errorf("image name %q: %w", ref, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": tag.TagStr(),
		"io.containerd.image.name":          tag.Name(),
	})); err != nil {
		return err
	}
	if tarPath == "" {
		return nil
	}
	return tarball.WriteToFile(tarPath, tag, img)
}
