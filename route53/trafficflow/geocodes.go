package trafficflow

import "strings"

// continents are Route 53's continent codes (GeoLocation ContinentCode).
var continents = map[string]string{
	"AF": "Africa", "AN": "Antarctica", "AS": "Asia", "EU": "Europe",
	"OC": "Oceania", "NA": "North America", "SA": "South America",
}

// countryCodes are the ISO 3166-1 alpha-2 codes, the country codes Route 53 uses.
const countryCodes = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
	"HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
	"QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ " +
	"VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// usSubdivisionCodes are the codes Route 53 takes as SubdivisionCode with country US:
// the USPS two-letter state and possession abbreviations, military ones included.
const usSubdivisionCodes = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA " +
	"MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY " +
	"AS GU MP PR VI FM MH PW AA AE AP"

var (
	countries      = codeSet(countryCodes)
	usSubdivisions = codeSet(usSubdivisionCodes)
)

func codeSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(list) {
		m[c] = true
	}
	return m
}

// ContinentName is the name of a Route 53 continent code ("EU": "Europe"), or "".
func ContinentName(code string) string { return continents[code] }

// IsCountry reports whether code is a country code Route 53 knows (upper case).
func IsCountry(code string) bool { return countries[code] }

// IsUSSubdivision reports whether code is a US subdivision code Route 53 knows.
func IsUSSubdivision(code string) bool { return usSubdivisions[code] }
