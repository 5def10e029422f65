package main

import (
	"fmt"
	"slices"
	"strings"
)

// quantile by nearest rank of sorted xs.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	i := int(q*float64(len(xs))+0.999999) - 1
	return xs[min(max(i, 0), len(xs)-1)]
}

func summary(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# bench/failover — %s\n\n", r.Date)
	fmt.Fprintf(&b, "`%s` · binary %s · %s CPUs (%s), %s · uptime before: `%s` · after: `%s`\n\n",
		r.Cmdline, r.Version, r.Machine["nproc"], r.Machine["cpu"], r.Machine["memory"], r.UptimeBefore, r.UptimeAfter)
	fmt.Fprintf(&b, "Checks: HTTP, interval %s, timeout %s, fall %d, rise %d. Bound down = interval × fall + timeout = %.2f s; "+
		"bound up = interval × rise + timeout = %.2f s. coredns on CPU %d (nice %d as root), clients and endpoints on CPU %d.\n\n",
		r.Interval, r.Timeout, r.Fall, r.Rise, r.BoundDownS, r.BoundUpS, r.ServerCPU, r.Nice, r.ClientCPU)
	fmt.Fprintf(&b, "| mode | way | trials | min s | p50 s | p90 s | max s | bound s | over bound | flaps |\n")
	fmt.Fprintf(&b, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	modes := []string{}
	for _, t := range r.Trials {
		if !slices.Contains(modes, t.Mode) {
			modes = append(modes, t.Mode)
		}
	}
	var notes []string
	for _, m := range modes {
		var down, up, restart []float64
		fd, fu := 0, 0
		for _, t := range r.Trials {
			if t.Mode == m {
				down, up, restart = append(down, t.DownS), append(up, t.UpS), append(restart, t.RestartS)
				fd += t.FlapsDown
				fu += t.FlapsUp
			}
		}
		for _, row := range []struct {
			way   string
			xs    []float64
			bound float64
			flaps int
		}{{"down (death → secondary)", down, r.BoundDownS, fd}, {"up (accepting → primary)", up, r.BoundUpS, fu}} {
			slices.Sort(row.xs)
			over := 0
			for _, x := range row.xs {
				if x > row.bound {
					over++
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %.3f | %.3f | %.3f | %.3f | %.2f | %d | %d |\n", m, row.way, len(row.xs),
				row.xs[0], quantile(row.xs, 0.5), quantile(row.xs, 0.9), row.xs[len(row.xs)-1], row.bound, over, row.flaps)
		}
		slices.Sort(restart)
		notes = append(notes, fmt.Sprintf("%s: restart (spawn, or SIGCONT) → endpoint accepting: median %.3f s, max %.3f s (before the up time starts).",
			m, quantile(restart, 0.5), restart[len(restart)-1]))
	}
	fmt.Fprintf(&b, "\n%s\n\n", strings.Join(notes, "\n"))
	fmt.Fprintf(&b, "Queries: %d over %.0f s (%.0f/s from %d paced clients): %d timeouts, %d non-NOERROR, %d unexpected answers.\n",
		r.Queries, r.DurationS, r.QPS, r.Workers, r.Timeouts, r.Rcodes, r.Others)
	if len(r.QueryErrors) > 0 {
		fmt.Fprintf(&b, "First problems: %s\n", strings.Join(r.QueryErrors, "; "))
	}
	fmt.Fprintf(&b, "Server: %.1f CPU s over the run, peak RSS %.0f MiB.\n", r.ServerCPUS, r.ServerRSSKB/1024)
	return b.String()
}
