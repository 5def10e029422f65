package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
)

// perCPU runs dnsperf against s for seconds and returns the queries answered per
// second of the server's CPU time.
func perCPU(s *server, queries string, seconds, clientCPU int) (float64, error) {
	host, port := splitAddr(s.dns)
	argv := []string{"dnsperf", "-s", host, "-p", port, "-d", queries, "-l", strconv.Itoa(seconds), "-c", "4", "-Q", "200000"}
	if clientCPU >= 0 {
		argv = append([]string{"taskset", "-c", strconv.Itoa(clientCPU)}, argv...)
	}
	c0, err := s.cpuSeconds()
	if err != nil {
		return 0, err
	}
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("dnsperf: %v\n%s", err, out)
	}
	c1, err := s.cpuSeconds()
	if err != nil {
		return 0, err
	}
	m := completed.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("dnsperf output has no 'Queries completed':\n%s", out)
	}
	n, _ := strconv.ParseFloat(string(m[1]), 64)
	if lost := lostRe.FindSubmatch(out); lost != nil && string(lost[1]) != "0" {
		return 0, fmt.Errorf("dnsperf lost %s queries against %s", lost[1], s.name)
	}
	if c1 <= c0 {
		return 0, fmt.Errorf("%s used no CPU", s.name)
	}
	return n / (c1 - c0), nil
}

var (
	completed = regexp.MustCompile(`Queries completed:\s+(\d+)`)
	lostRe    = regexp.MustCompile(`Queries lost:\s+(\d+)`)
)

func splitAddr(a string) (string, string) {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == ':' {
			return a[:i], a[i+1:]
		}
	}
	return a, "53"
}
