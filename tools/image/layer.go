package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"time"
)

// capNetBindService is CAP_NET_BIND_SERVICE's bit (linux/capability.h).
const capNetBindService = 10

// CapabilityXattr is the PAX record that carries a file capability in a layer;
// container runtimes restore it as the security.capability extended attribute.
const CapabilityXattr = "SCHILY.xattr.security.capability"

// NetBindServiceCap is the security.capability value `setcap
// cap_net_bind_service=+ep` writes: struct vfs_cap_data revision 2, little
// endian — magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, then
// {permitted, inheritable} for capabilities 0-31 and 32-63. It lets the
// non-root user bind port 53, as the official image's setcap does.
func NetBindServiceCap() []byte {
	const revision2, effective = 0x02000000, 0x000001
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b[0:], revision2|effective)
	binary.LittleEndian.PutUint32(b[4:], 1<<capNetBindService) // permitted, low word
	return b                                                   // inheritable and the high words stay 0
}

// NonRoot is the uid and gid the image runs as: distroless's "nonroot", the
// official image's USER 65532:65532.
const NonRoot = 65532

// epoch fixes every timestamp so the same binary gives the same digest.
var epoch = time.Unix(0, 0).UTC()

// rootfs is the single layer: /coredns with its capability, the passwd and
// group entries for nonroot, the host's CA bundle (forward over TLS and the
// apiserver's certificates need one; the official distroless base has it) and
// a world-writable /tmp. Returned gzipped.
func rootfs(binaryPath, caBundle string) ([]byte, error) {
	bin, err := os.ReadFile(binaryPath)
	if err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	dir := func(name string, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, ModTime: epoch, Format: tar.FormatPAX})
	}
	file := func(h *tar.Header, body []byte) error {
		h.Typeflag, h.Size, h.ModTime, h.Format = tar.TypeReg, int64(len(body)), epoch, tar.FormatPAX
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	steps := []func() error{
		func() error {
			return file(&tar.Header{Name: "coredns", Mode: 0o755, PAXRecords: map[string]string{CapabilityXattr: string(NetBindServiceCap())}}, bin)
		},
		func() error { return dir("etc/", 0o755) },
		func() error {
			return file(&tar.Header{Name: "etc/passwd", Mode: 0o644}, []byte(fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", NonRoot, NonRoot)))
		},
		func() error {
			return file(&tar.Header{Name: "etc/group", Mode: 0o644}, []byte(fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", NonRoot)))
		},
		func() error { return dir("tmp/", 0o1777) },
	}
	if caBundle != "" {
		ca, err := os.ReadFile(caBundle)
		if err != nil {
			return nil, err
		}
		steps = append(steps,
			func() error { return dir("etc/ssl/", 0o755) },
			func() error { return dir("etc/ssl/certs/", 0o755) },
			func() error { return file(&tar.Header{Name: "etc/ssl/certs/ca-certificates.crt", Mode: 0o644}, ca) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return gz.Bytes(), nil
}
