package policy

import (
	"fmt"
	"slices"
	"strings"
)

//go:generate go run ./internal/geogen -o geocodes_table.go

// The codes a geolocation rule may match on, checked against the standards rather
// than their shape, so that a typo is an error at its line and not a rule that
// never matches. The data files' parser and the Route 53 API share these checks.

// extraCountries are codes outside ISO 3166-1 that location databases assign:
// MaxMind's GeoIP2 gives Kosovo XK (a user-assigned code).
var extraCountries = map[string][2]string{"XK": {"XKX", "Kosovo"}}

// reservedCountries are ISO's exceptionally reserved codes people write for a
// country whose code is another.
var reservedCountries = map[string]string{"UK": "GB", "EL": "GR"}

// continentNames are the continents of the geolocation rule (Route 53's seven).
var continentNames = map[string]string{
	"AF": "Africa", "AN": "Antarctica", "AS": "Asia", "EU": "Europe",
	"NA": "North America", "OC": "Oceania", "SA": "South America",
}

// CheckContinent checks a continent code (upper case): one of AF AN AS EU NA OC SA.
func CheckContinent(code string) error {
	if _, ok := continentNames[code]; ok {
		return nil
	}
	var maybe []string
	for c, name := range continentNames {
		if strings.EqualFold(name, code) || len(code) == 2 && hamming1(c, code) {
			maybe = append(maybe, c)
		}
	}
	return fmt.Errorf("unknown continent code %q (want %s)%s", code, strings.Join(continents, " "), didYouMean(maybe))
}

// CheckCountry checks a country code (upper case): ISO 3166-1 alpha-2, or XK.
func CheckCountry(code string) error {
	if countryKnown(code) {
		return nil
	}
	return fmt.Errorf("unknown country code %q: not in ISO 3166-1 alpha-2%s", code, didYouMean(countryGuesses(code)))
}

// CheckSubdivision checks a country-prefixed ISO 3166-2 code (upper case): US-VA.
func CheckSubdivision(code string) error {
	cc, sub, ok := strings.Cut(code, "-")
	if !ok || sub == "" {
		return fmt.Errorf("want an ISO 3166-2 code with its country like US-VA, not %q", code)
	}
	if !countryKnown(cc) {
		return fmt.Errorf("unknown country %q in subdivision code %q%s", cc, code, didYouMean(prefixed(countryGuesses(cc), "-"+sub)))
	}
	list := isoSubdivisions[cc]
	if list == "" {
		return fmt.Errorf("unknown subdivision code %q: ISO 3166-2 lists no subdivisions of %s (match the country instead)", code, cc)
	}
	subs := strings.Fields(list)
	if _, found := slices.BinarySearch(subs, sub); found {
		return nil
	}
	var maybe []string
	for _, s := range subs {
		if editDistance1(s, sub) {
			maybe = append(maybe, cc+"-"+s)
		}
	}
	return fmt.Errorf("unknown subdivision code %q: not in ISO 3166-2 for %s%s", code, countryName(cc), didYouMean(maybe))
}

// CheckRoute53GeoLocation checks a Route 53 GeoLocation (continent, country and
// subdivision codes as the API writes them, "" for absent): a continent alone, or a
// country ("*" the default) with an optional subdivision, which Route 53 takes for
// the United States only, as the state's two letters.
func CheckRoute53GeoLocation(continent, country, subdivision string) error {
	switch {
	case continent != "" && (country != "" || subdivision != ""):
		return fmt.Errorf("ContinentCode cannot be given with CountryCode or SubdivisionCode")
	case continent != "":
		return CheckContinent(continent)
	case country == "":
		return fmt.Errorf("a GeoLocation needs ContinentCode or CountryCode")
	case country != "*":
		if err := CheckCountry(country); err != nil {
			return err
		}
	}
	if subdivision == "" {
		return nil
	}
	if country != "US" {
		return fmt.Errorf("SubdivisionCode %q needs CountryCode US (Route 53 has subdivisions of the United States only)", subdivision)
	}
	states := strings.Fields(usStates)
	if _, found := slices.BinarySearch(states, subdivision); found {
		return nil
	}
	var maybe []string
	for _, s := range states {
		if hamming1(s, subdivision) {
			maybe = append(maybe, s)
		}
	}
	return fmt.Errorf("unknown SubdivisionCode %q: not a state of the United States%s", subdivision, didYouMean(maybe))
}

func countryKnown(code string) bool {
	_, iso := isoCountries[code]
	_, extra := extraCountries[code]
	return iso || extra
}

func countryName(code string) string {
	if c, ok := isoCountries[code]; ok {
		return c[1]
	}
	return extraCountries[code][1]
}

// countryGuesses are the codes a wrong country code may have meant: the alpha-2 of
// an alpha-3 code or an English name, ISO's reserved aliases, the two letters
// swapped, then codes one letter away (at most three of those, those that keep the
// first letter first).
func countryGuesses(code string) []string {
	var out []string
	for a2, c := range isoCountries {
		if c[0] == code || strings.EqualFold(c[1], code) {
			out = append(out, a2)
		}
	}
	if a2, ok := reservedCountries[code]; ok {
		out = append(out, a2)
	}
	if len(code) != 2 || len(out) > 0 {
		return out
	}
	if sw := code[1:] + code[:1]; sw != code && countryKnown(sw) {
		out = append(out, sw)
	}
	var near []string
	for a2 := range isoCountries {
		if hamming1(a2, code) {
			near = append(near, a2)
		}
	}
	for a2 := range extraCountries {
		if hamming1(a2, code) {
			near = append(near, a2)
		}
	}
	// A slip of the second letter first: codes sharing the first read as the guess.
	slices.SortFunc(near, func(a, b string) int {
		if (a[0] == code[0]) != (b[0] == code[0]) {
			if a[0] == code[0] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	if len(near) > 3 {
		near = near[:3]
	}
	return append(out, near...)
}

func prefixed(codes []string, suffix string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c + suffix
	}
	return out
}

// didYouMean is the hint of an error message, "" when there is no guess.
func didYouMean(maybe []string) string {
	maybe = slices.Compact(maybe)
	switch len(maybe) {
	case 0:
		return ""
	case 1:
		return " (did you mean " + maybe[0] + "?)"
	}
	if len(maybe) > 5 {
		maybe = maybe[:5]
	}
	return " (did you mean one of " + strings.Join(maybe, ", ") + "?)"
}

// hamming1 says whether a and b, of one length, differ in exactly one byte.
func hamming1(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	d := 0
	for i := range len(a) {
		if a[i] != b[i] {
			d++
		}
	}
	return d == 1
}

// editDistance1 says whether b is a with one byte changed, added, removed, or two
// neighbours swapped.
func editDistance1(a, b string) bool {
	if hamming1(a, b) {
		return true
	}
	if len(a) == len(b) {
		for i := 0; i+1 < len(a); i++ {
			if a[i] != b[i] {
				return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
			}
		}
		return false
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a) != len(b)+1 {
		return false
	}
	for i := range len(a) {
		if a[:i]+a[i+1:] == b {
			return true
		}
	}
	return false
}

// Countries returns every country code a geolocation rule may match (ISO 3166-1
// alpha-2 and XK), sorted, with its English name: the places a map shows.
func Countries() []Country {
	out := make([]Country, 0, len(isoCountries)+len(extraCountries))
	for c, v := range isoCountries {
		out = append(out, Country{Code: c, Name: v[1]})
	}
	for c, v := range extraCountries {
		out = append(out, Country{Code: c, Name: v[1]})
	}
	slices.SortFunc(out, func(a, b Country) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// Country is a country code and its English name.
type Country struct{ Code, Name string }
