package boltstore

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

// The crash test runs the test binary again as a writer process, kills it
// with SIGKILL at random moments and checks the file after each kill.
const (
	crashEnv     = "BOLTSTORE_CRASH_WRITER" // the writer's store path
	crashKeys    = 10                       // keys per batch
	crashKeep    = 50                       // batch i deletes batch i-crashKeep
	crashBudget  = 10 * time.Second
	crashRounds  = 12
	crashHistory = 1000
)

// TestCrashWriter is the writer process of TestCrashKill; run alone it skips.
// Batch i reads the counter (i-1), writes k/<i>/0..9 with values of random
// size (so commits span many pages), deletes batch i-crashKeep and sets the
// counter to i; after each acknowledged Update it prints "rev i".
func TestCrashWriter(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("the writer process of TestCrashKill")
	}
	s, err := Open(path, Options{History: crashHistory})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for {
		var i int
		rev, err := s.Update(context.Background(), func(tx store.Tx) error {
			v, _, err := tx.Get("counter")
			if err != nil {
				return err
			}
			n, _ := strconv.Atoi(string(v))
			i = n + 1
			for j := range crashKeys {
				val := fmt.Appendf(nil, "%d:%d:", i, j)
				val = append(val, strings.Repeat("x", rand.IntN(3000))...)
				if err := tx.Put(batchKey(i, j), val); err != nil {
					return err
				}
				if err := tx.Delete(batchKey(i-crashKeep, j)); err != nil {
					return err
				}
			}
			return tx.Put("counter", []byte(strconv.Itoa(i)))
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stdout, "%d %d\n", rev, i)
	}
}

func batchKey(i, j int) string { return fmt.Sprintf("k/%08d/%d", i, j) }

// TestCrashKill: every acknowledged batch survives kill -9 and no batch is
// ever half there.
func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	start := time.Now()
	var acked, rounds int
	for rounds < crashRounds && time.Since(start) < crashBudget {
		rounds++
		maxRev, n := killWriterRound(t, path)
		acked += n
		checkCrashFile(t, path, maxRev)
	}
	if acked == 0 {
		t.Fatal("the writer acknowledged no batch in any round")
	}
	t.Logf("%d rounds, %d acknowledged batches, all present, none partial (%v)", rounds, acked, time.Since(start).Round(time.Millisecond))
}

// killWriterRound starts a writer, kills it with SIGKILL a random moment
// after its first acknowledgement, and returns the highest acknowledged
// revision and the number of acknowledgements.
func killWriterRound(t *testing.T, path string) (maxRev int64, n int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var rev int64
			var i int
			if _, err := fmt.Sscanf(sc.Text(), "%d %d", &rev, &i); err != nil {
				continue // not ours (a test framework line)
			}
			if rev != int64(i) {
				t.Errorf("writer acknowledged batch %d at revision %d; want them equal", i, rev)
			}
			maxRev = max(maxRev, rev)
			if n++; n == 1 {
				close(first)
			}
		}
	}()
	select {
	case <-first:
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
	case <-done:
	case <-time.After(5 * time.Second):
	}
	_ = cmd.Process.Kill() // SIGKILL on Unix
	<-done                 // every line the writer printed has been read
	err = cmd.Wait()
	if n == 0 {
		t.Fatalf("writer acknowledged nothing (exit %v): %s", err, stderr.String())
	}
	return maxRev, n
}

// checkCrashFile reopens the store and checks it against the writer's rules.
func checkCrashFile(t *testing.T, path string, maxAcked int64) {
	t.Helper()
	s, err := Open(path, Options{History: crashHistory, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	counter := 0
	batches := make(map[int]int) // batch → keys present
	rev, err := s.View(context.Background(), func(r store.Reader) error {
		v, _, err := r.Get("counter")
		if err != nil {
			return err
		}
		counter, _ = strconv.Atoi(string(v))
		return r.Scan("k/", "", func(k string, v []byte) bool {
			var i, j int
			if _, err := fmt.Sscanf(k, "k/%d/%d", &i, &j); err != nil || !strings.HasPrefix(string(v), fmt.Sprintf("%d:%d:", i, j)) {
				t.Errorf("key %s holds %.20q", k, v)
			}
			batches[i]++
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if rev < maxAcked || int64(counter) != rev {
		t.Fatalf("after kill: revision %d, counter %d, highest acknowledged %d", rev, counter, maxAcked)
	}
	for i, keys := range batches {
		if i <= counter-crashKeep || i > counter {
			t.Errorf("batch %d present (%d keys) at counter %d", i, keys, counter)
		} else if keys != crashKeys {
			t.Errorf("batch %d half applied: %d of %d keys", i, keys, crashKeys)
		}
	}
	if want := min(counter, crashKeep); len(batches) != want {
		t.Errorf("%d batches present at counter %d, want %d", len(batches), counter, want)
	}
	// The log agrees with the data: the last Events set the counter.
	from := max(0, rev-5)
	ch, err := s.Watch(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	for r := from + 1; r <= rev; r++ {
		ev := <-ch
		last := ev.Changes[len(ev.Changes)-1]
		if ev.Revision != r || last.Key != "counter" || string(last.Value) != strconv.FormatInt(r, 10) {
			t.Fatalf("log Event %d ends with %s=%s, want counter=%d", ev.Revision, last.Key, last.Value, r)
		}
	}
}
