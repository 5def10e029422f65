package geo

import (
	"time"

	"github.com/coretraffic/coretraffic/geo"
)

// OnStartup publishes the databases' metrics and starts the file watcher.
func (g *Geo) OnStartup() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, info := range g.reader.Databases() {
		publish(info)
	}
	if g.interval > 0 && g.stop == nil {
		g.stop, g.done = make(chan struct{}), make(chan struct{})
		go g.watch(g.interval, g.stop, g.done)
	}
	g.ready.Store(true)
	return nil
}

// OnShutdown stops the watcher and waits for it. The databases are plain
// memory that goes with this instance; they are not closed here because on a
// Corefile reload the old server may still be answering queries with them.
func (g *Geo) OnShutdown() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ready.Store(false)
	if g.stop != nil {
		close(g.stop)
		<-g.done
		g.stop, g.done = nil, nil
	}
	return nil
}

// watch checks the database files every interval and swaps in changed ones.
// Opening and verifying happen here, never on the query path.
func (g *Geo) watch(interval time.Duration, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			g.reload()
		}
	}
}

// reload checks the files once; each changed file gives one log line.
func (g *Geo) reload() {
	for _, res := range g.reader.Reload() {
		if res.Err != nil {
			reloads.WithLabelValues(res.Path, "rejected").Inc()
			log.Errorf("Refused new version of %s, keeping the loaded one: %v", res.Path, res.Err)
			continue
		}
		reloads.WithLabelValues(res.Path, "ok").Inc()
		for _, info := range g.reader.Databases() {
			if info.Path == res.Path {
				publish(info)
				log.Infof("Reloaded %s (%s, built %s)", info.Path, info.DatabaseType, info.BuildTime.UTC().Format(time.RFC3339))
			}
		}
	}
}

func publish(info geo.Info) {
	loadTime.WithLabelValues(info.Path).Set(float64(info.LoadTime.Unix()))
	buildTime.WithLabelValues(info.Path).Set(float64(info.BuildTime.Unix()))
}
