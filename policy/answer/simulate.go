package answer

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
)

// Simulate answers "what happens if these fail": for every record set whose tree
// decides something and every class of clients, the answers and their shares with
// everything up and with the given checks, nodes or endpoints down. Every answer is
// an Explain of the same question (so simulate and explain cannot disagree), asked
// samples times to measure the shares of random choices.

// Class is a group of clients: a place (continent, country, …) or a subnet.
type Class struct {
	Name     string        `json:"name"`
	Location *geo.Location `json:"-"` // a place, without coordinates
	ECS      netip.Prefix  `json:"-"` // or a subnet, placed by the geo databases
}

// Share is one answer and how often it was given.
type Share struct {
	Answer  string  `json:"answer"` // the answer's values, or the rcode
	Percent float64 `json:"percent"`
}

// SimRow is one record set for one class.
type SimRow struct {
	Set    string  `json:"set"`
	Class  string  `json:"clients"`
	Before []Share `json:"before"`
	After  []Share `json:"after"`
	Moved  bool    `json:"moved"`
}

// continents are the GeoIP continent codes.
var continents = []string{"AF", "AN", "AS", "EU", "NA", "OC", "SA"}

// Classes are the default clients to simulate: every continent, and every country,
// subdivision and city the data's geolocation rules name; plus the subnets given.
func (o *Offline) Classes(subnets []netip.Prefix) []Class {
	var cs []Class
	for _, c := range continents {
		cs = append(cs, Class{Name: c, Location: &geo.Location{Continent: c}})
	}
	seen := map[policy.GeoMatch]bool{}
	for _, origin := range o.d.Snap.Origins() {
		for _, s := range o.d.Snap.Zone(origin).Sets() {
			for _, m := range s.Tree.GeoMatches() {
				m.Continent = "" // a country's or city's continent is not in the match
				if m == (policy.GeoMatch{}) || seen[m] {
					continue
				}
				seen[m] = true
				cs = append(cs, classOf(m))
			}
		}
	}
	for _, p := range subnets {
		cs = append(cs, Class{Name: p.String(), ECS: p})
	}
	return cs
}

// classOf is a client standing for what m matches. A subdivision or city class is
// also in its country (the code's prefix), so that less specific rules see it.
func classOf(m policy.GeoMatch) Class {
	l := &geo.Location{Country: m.Country, City: m.City}
	name := m.Country
	if m.Subdivision != "" {
		l.Subdivisions[0] = m.Subdivision
		name = m.Subdivision
		if l.Country == "" {
			l.Country, _, _ = strings.Cut(m.Subdivision, "-")
		}
	}
	if m.City != "" {
		name = strings.TrimPrefix(name+" "+m.City, " ")
	}
	l.Continent = geo.ContinentOf(l.Country)
	return Class{Name: name, Location: l}
}

// Simulate runs every (decision-making record set, class) with nothing down and
// with down down, samples times each.
func (o *Offline) Simulate(classes []Class, down []string, samples int) ([]SimRow, error) {
	if samples < 1 {
		samples = 1
	}
	var rows []SimRow
	for _, origin := range o.d.Snap.Origins() {
		for _, s := range o.d.Snap.Zone(origin).Sets() {
			if !s.Tree.Decides() {
				continue
			}
			r, err := o.SimulateSet(s, classes, down, samples)
			if err != nil {
				return nil, err
			}
			rows = append(rows, r...)
		}
	}
	return rows, nil
}

// SimulateSet is Simulate of one record set: a row per class, in classes' order.
func (o *Offline) SimulateSet(s *policy.Set, classes []Class, down []string, samples int) ([]SimRow, error) {
	if samples < 1 {
		samples = 1
	}
	name := s.Name
	if strings.HasPrefix(name, "*.") {
		name = "simulated" + name[1:]
	}
	rows := make([]SimRow, 0, len(classes))
	for _, c := range classes {
		q := Question{Name: name, Type: s.Type, Source: netip.MustParseAddr("127.0.0.1"), Location: c.Location}
		if c.ECS.IsValid() {
			q.ECS, q.Source = c.ECS, c.ECS.Addr()
		}
		before, err := o.shares(q, samples)
		if err != nil {
			return nil, err
		}
		after := before
		if len(down) > 0 {
			q.Down = down
			if after, err = o.shares(q, samples); err != nil {
				return nil, err
			}
		}
		rows = append(rows, SimRow{Set: s.Label, Class: c.Name, Before: before, After: after, Moved: !sameAnswers(before, after)})
	}
	return rows, nil
}

// PlaceClass is a client standing for what m matches (a continent, country,
// subdivision or city), as Classes makes them.
func PlaceClass(m policy.GeoMatch) Class {
	if m.Country == "" && m.Subdivision == "" && m.City == "" {
		return Class{Name: m.Continent, Location: &geo.Location{Continent: m.Continent}}
	}
	return classOf(m)
}

// shares asks q samples times and counts the distinct answers.
func (o *Offline) shares(q Question, samples int) ([]Share, error) {
	count := map[string]int{}
	for i := range samples {
		// Sample i draws the same numbers whatever is down (common random numbers):
		// an answer moves because of the what-if, not because of the dice.
		q.Rand = rand.New(rand.NewPCG(uint64(i)+1, simSeed))
		x, err := o.Explain(q)
		if err != nil {
			return nil, err
		}
		count[answerKey(x)]++
	}
	var sh []Share
	for a, n := range count {
		sh = append(sh, Share{Answer: a, Percent: 100 * float64(n) / float64(samples)})
	}
	slices.SortFunc(sh, func(a, b Share) int {
		if a.Percent != b.Percent {
			if a.Percent > b.Percent {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Answer, b.Answer)
	})
	return sh, nil
}

// simSeed seeds simulate's draws.
const simSeed = 0x5eed

// answerKey is an answer's values in order of appearance (an rcode or NODATA when
// it has none).
func answerKey(x *Explanation) string {
	if len(x.Answer) == 0 {
		if x.Rcode == "NOERROR" {
			return "NODATA"
		}
		return x.Rcode
	}
	vals := make([]string, 0, len(x.Answer))
	for _, rr := range x.Answer {
		f := strings.SplitN(rr, "\t", 5)
		vals = append(vals, f[len(f)-1])
	}
	slices.Sort(vals) // multivalue shuffles: the same values are the same answer
	return strings.Join(vals, " ")
}

func sameAnswers(a, b []Share) bool {
	if len(a) != len(b) {
		return false
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = a[i].Answer, b[i].Answer
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// FormatSimulation renders rows as a table; all false keeps only the rows that move.
func FormatSimulation(rows []SimRow, down []string, all bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "what if down: %s\n\n", strings.Join(down, ", "))
	w := [3]int{len("record set"), len("clients"), len("before")}
	lines := [][4]string{}
	for _, r := range rows {
		if !r.Moved && !all {
			continue
		}
		l := [4]string{r.Set, r.Class, formatShares(r.Before), formatShares(r.After)}
		if r.Moved {
			l[3] += "   ← moves"
		}
		for i := range w {
			w[i] = max(w[i], len(l[i]))
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		b.WriteString("nothing moves\n")
		return b.String()
	}
	fmt.Fprintf(&b, "%-*s  %-*s  %-*s  %s\n", w[0], "record set", w[1], "clients", w[2], "before", "after")
	for _, l := range lines {
		fmt.Fprintf(&b, "%-*s  %-*s  %-*s  %s\n", w[0], l[0], w[1], l[1], w[2], l[2], l[3])
	}
	return b.String()
}

func formatShares(sh []Share) string {
	parts := make([]string, len(sh))
	for i, s := range sh {
		parts[i] = fmt.Sprintf("%s %.0f%%", s.Answer, s.Percent)
	}
	return strings.Join(parts, ", ")
}
