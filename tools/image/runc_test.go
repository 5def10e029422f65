package main

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// TestImageRunsInRunc runs what `make image` wrote in a real OCI runtime (Debian's
// runc, installed by `make deps`) the way kubeadm's Deployment runs the official
// image: the image's entrypoint with `-conf /etc/coredns/Corefile` mounted in, as
// user 65532, every capability dropped but NET_BIND_SERVICE, no privilege
// escalation, a read-only root. It must answer DNS on port 53 — which a non-root
// process can bind only through the file capability the image sets on /coredns:
// the same rootfs with that xattr left out must fail to bind.
func TestImageRunsInRunc(t *testing.T) {
	dir := os.Getenv("CORETRAFFIC_IMAGE")
	if dir == "" {
		dir = filepath.Join("..", "..", "bin", "image")
	}
	runc, err := exec.LookPath("runc")
	required := os.Getenv("CORETRAFFIC_REQUIRE_IMAGE") != ""
	switch {
	case err != nil && required:
		t.Fatalf("runc: %v (make deps installs it)", err)
	case err != nil:
		t.Skipf("runc: %v (make deps installs it)", err)
	case os.Geteuid() != 0:
		// runc needs root to create the namespaces and to write the capability
		// xattr: a machine without it cannot run this test at all.
		t.Skip("runc needs root; not root here")
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		if required {
			t.Fatalf("image layout %s: %v (make image)", dir, err)
		}
		t.Skipf("no image layout at %s (make image): %v", dir, err)
	}
	img := readLayout(t, dir)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		withCap  bool
		wantBind bool
	}{
		{"as built", true, true},
		{"without the file capability", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bundle := t.TempDir()
			rootfs := filepath.Join(bundle, "rootfs")
			unpack(t, img, rootfs, tc.withCap)
			addr := fmt.Sprintf("127.0.%d.%d", 100+os.Getpid()%100, 53+len(tc.name)%100)
			conf := filepath.Join(bundle, "conf")
			if err := os.MkdirAll(conf, 0o755); err != nil {
				t.Fatal(err)
			}
			corefile := fmt.Sprintf(".:53 {\n    bind %s\n    whoami\n    health %s:8080\n}\n", addr, addr)
			if err := os.WriteFile(filepath.Join(conf, "Corefile"), []byte(corefile), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{}, cfg.Config.Entrypoint...), cfg.Config.Cmd...)
			args = append(args, "-conf", "/etc/coredns/Corefile")
			writeSpec(t, bundle, cfg.Config, args, conf)

			id := fmt.Sprintf("coretraffic-test-%d-%v", os.Getpid(), tc.withCap)
			var out bytes.Buffer
			cmd := exec.Command(runc, "run", "--bundle", bundle, id)
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited, gone := make(chan error, 1), make(chan struct{})
			go func() { exited <- cmd.Wait(); close(gone) }()
			t.Cleanup(func() {
				exec.Command(runc, "kill", id, "KILL").Run()
				select {
				case <-gone:
				case <-time.After(10 * time.Second):
				}
				exec.Command(runc, "delete", "-f", id).Run()
			})

			deadline := time.Now().Add(20 * time.Second)
			for {
				if err := askWhoami(addr + ":53"); err == nil {
					if !tc.wantBind {
						t.Fatalf("answered on port 53 without the file capability:\n%s", out.String())
					}
					status := processStatus(t, runc, id)
					for _, want := range []string{"Uid:\t65532\t65532\t65532\t65532", "CapEff:\t0000000000000400", "NoNewPrivs:\t1"} {
						if !strings.Contains(status, want) {
							t.Errorf("the container's process: no %q in\n%s", want, status)
						}
					}
					t.Logf("the image answered DNS on %s:53 under runc as uid 65532 with only CAP_NET_BIND_SERVICE and no_new_privs", addr)
					return
				}
				select {
				case err := <-exited:
					if tc.wantBind {
						t.Fatalf("container exited: %v\n%s", err, out.String())
					}
					if !strings.Contains(out.String(), "permission denied") {
						t.Fatalf("exited without the capability, but not for a refused bind: %v\n%s", err, out.String())
					}
					t.Logf("without the capability: %s", lastLine(out.String()))
					return
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("no DNS answer from the container within 20 s:\n%s", out.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// unpack writes the image's filesystem into dir, with each entry's owner, mode and
// (when withCap) extended attributes, as a container runtime's snapshotter does.
func unpack(t *testing.T, img v1.Image, dir string, withCap bool) {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.Clean("/"+h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, os.FileMode(h.Mode).Perm())
		case tar.TypeReg:
			if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
				var f *os.File
				if f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode).Perm()); err == nil {
					_, err = io.Copy(f, tr)
					f.Close()
				}
			}
		case tar.TypeSymlink:
			err = os.Symlink(h.Linkname, path)
		default:
			continue
		}
		if err != nil {
			t.Fatalf("unpack %s: %v", h.Name, err)
		}
		if err := os.Lchown(path, h.Uid, h.Gid); err != nil {
			t.Fatal(err)
		}
		for k, v := range h.PAXRecords {
			name, ok := strings.CutPrefix(k, "SCHILY.xattr.")
			if !ok || !withCap {
				continue
			}
			if err := syscall.Setxattr(path, name, []byte(v), 0); err != nil {
				t.Fatalf("setxattr %s %s: %v", h.Name, name, err)
			}
		}
	}
	// A runtime's mount points.
	for _, d := range []string{"proc", "dev", "sys", "etc/coredns", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// writeSpec writes the bundle's config.json: kubeadm's securityContext for CoreDNS
// (allowPrivilegeEscalation false, capabilities drop ALL add NET_BIND_SERVICE,
// readOnlyRootFilesystem) as containerd turns it into an OCI spec, in the host's
// network namespace so the test reaches it on loopback.
func writeSpec(t *testing.T, bundle string, c v1.Config, args []string, conf string) {
	t.Helper()
	var uid, gid uint32
	if _, err := fmt.Sscanf(c.User, "%d:%d", &uid, &gid); err != nil {
		t.Fatalf("image user %q: %v", c.User, err)
	}
	caps := []string{"CAP_NET_BIND_SERVICE"}
	spec := map[string]any{
		"ociVersion": "1.0.2",
		"process": map[string]any{
			"terminal":        false,
			"user":            map[string]any{"uid": uid, "gid": gid},
			"args":            args,
			"env":             append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, c.Env...),
			"cwd":             c.WorkingDir,
			"noNewPrivileges": true,
			"capabilities":    map[string]any{"bounding": caps, "effective": caps, "permitted": caps},
		},
		"root":     map[string]any{"path": "rootfs", "readonly": true},
		"hostname": "coredns",
		"mounts": []map[string]any{
			{"destination": "/proc", "type": "proc", "source": "proc"},
			{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": []string{"nosuid", "nodev", "size=16m"}},
			{"destination": "/etc/coredns", "type": "bind", "source": conf, "options": []string{"rbind", "ro"}},
		},
		"linux": map[string]any{
			"namespaces": []map[string]any{{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}},
		},
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// askWhoami sends one DNS query (example.org. A) over UDP and accepts any reply
// to it: the whoami plugin answers every name.
func askWhoami(addr string) error {
	c, err := net.DialTimeout("udp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	q := []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, label := range []string{"example", "org"} {
		q = append(append(q, byte(len(label))), label...)
	}
	q = append(q, 0, 0, 1, 0, 1)
	c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := c.Write(q); err != nil {
		return err
	}
	buf := make([]byte, 512)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	if n < 12 || binary.BigEndian.Uint16(buf) != 0x1234 || buf[2]&0x80 == 0 {
		return fmt.Errorf("not a reply to the query: % x", buf[:n])
	}
	if rcode := buf[3] & 0x0f; rcode != 0 {
		return fmt.Errorf("rcode %d", rcode)
	}
	return nil
}

// processStatus is /proc/PID/status of the container's process (runc state).
func processStatus(t *testing.T, runc, id string) string {
	t.Helper()
	out, err := exec.Command(runc, "state", id).Output()
	if err != nil {
		t.Fatalf("runc state: %v", err)
	}
	var st struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal(out, &st); err != nil || st.Pid == 0 {
		t.Fatalf("runc state %s: %v", out, err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", st.Pid))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
