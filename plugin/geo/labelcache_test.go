package geo

import (
	"testing"

	"github.com/coretraffic/coretraffic/geo"
)

func TestLocationCacheAdmitsOnSecondMiss(t *testing.T) {
	var c locationCache
	frankfurt := geo.Location{Continent: "EU", Country: "DE", City: "Frankfurt am Main", Lat: 50.11, Lon: 8.68, HasCoords: true}
	if e := c.get(&frankfurt, allLabels); e != nil {
		t.Fatal("first miss made an entry")
	}
	e := c.get(&frankfurt, allLabels)
	if e == nil {
		t.Fatal("second miss made no entry")
	}
	if again := c.get(&frankfurt, allLabels); again != e {
		t.Fatal("third ask did not hit the entry")
	}
	for i, lb := range allLabels {
		switch {
		case lb.ofClient != nil && e.funcs[i] != nil:
			t.Errorf("%s: client label cached", lb.name)
		case lb.ofLocation != nil && e.funcs[i] == nil:
			t.Errorf("%s: location label not cached", lb.name)
		}
	}
	if got := e.funcs[1](); got != "DE" {
		t.Errorf("cached country = %q, want DE", got)
	}
}

// TestLocationCacheComparesLocation plants one location's entry in the slot of
// another: the other must not get it.
func TestLocationCacheComparesLocation(t *testing.T) {
	var c locationCache
	paris := geo.Location{Continent: "EU", Country: "FR", City: "Paris"}
	lyon := geo.Location{Continent: "EU", Country: "FR", City: "Lyon"}
	c.get(&paris, allLabels)
	planted := c.get(&paris, allLabels)
	_, slot := locationSlot(&lyon)
	c.entries[slot].Store(planted)
	if e := c.get(&lyon, allLabels); e == planted {
		t.Fatal("Lyon got Paris's labels")
	}
}
