package checks

import (
	"encoding/xml"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/apierr"
)

const ns = `xmlns="https://route53.amazonaws.com/doc/2013-04-01/"`

func TestDecodeCreate(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<CreateHealthCheckRequest ` + ns + `>
  <CallerReference>ref-1</CallerReference>
  <HealthCheckConfig>
    <IPAddress>192.0.2.1</IPAddress><Port>8080</Port><Type>HTTP_STR_MATCH</Type>
    <ResourcePath>/health</ResourcePath><FullyQualifiedDomainName>www.example.org</FullyQualifiedDomainName>
    <SearchString> ok </SearchString><RequestInterval> 10 </RequestInterval><FailureThreshold>2</FailureThreshold>
    <MeasureLatency>false</MeasureLatency><Inverted>true</Inverted><Disabled>false</Disabled>
    <Regions><Region>us-east-1</Region><Region>us-west-1</Region><Region>eu-west-1</Region></Regions>
  </HealthCheckConfig>
</CreateHealthCheckRequest>`
	req, err := DecodeCreate(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := HealthCheckConfig{IPAddress: "192.0.2.1", Port: 8080, Type: TypeHTTPStrMatch, ResourcePath: "/health",
		FullyQualifiedDomainName: "www.example.org", SearchString: " ok ", RequestInterval: 10, FailureThreshold: 2,
		MeasureLatency: ptr(false), Inverted: true, Regions: []string{"us-east-1", "us-west-1", "eu-west-1"}}
	if req.CallerReference != "ref-1" || !reflect.DeepEqual(req.HealthCheckConfig, want) {
		t.Errorf("got %+v", req)
	}
	calc := `<CreateHealthCheckRequest ` + ns + `><CallerReference>c</CallerReference><HealthCheckConfig><Type>CALCULATED</Type>` +
		`<HealthThreshold>1</HealthThreshold><ChildHealthChecks><ChildHealthCheck>a</ChildHealthCheck><ChildHealthCheck>b</ChildHealthCheck></ChildHealthChecks>` +
		`</HealthCheckConfig></CreateHealthCheckRequest>`
	req, err = DecodeCreate(strings.NewReader(calc))
	if err != nil || *req.HealthCheckConfig.HealthThreshold != 1 || strings.Join(req.HealthCheckConfig.ChildHealthChecks, ",") != "a,b" {
		t.Errorf("calculated: %+v %v", req, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	wrap := func(cfg string) string {
		return `<CreateHealthCheckRequest ` + ns + `><CallerReference>r</CallerReference><HealthCheckConfig>` + cfg + `</HealthCheckConfig></CreateHealthCheckRequest>`
	}
	for _, c := range []struct{ name, doc, msg string }{
		{"empty", "", "has no CreateHealthCheckRequest"},
		{"malformed", `<CreateHealthCheckRequest ` + ns + `><CallerReference>`, "Could not parse"},
		{"no namespace", `<CreateHealthCheckRequest><CallerReference>r</CallerReference></CreateHealthCheckRequest>`, "not in the namespace"},
		{"other namespace", `<CreateHealthCheckRequest xmlns="https://route53.amazonaws.com/doc/2012-12-12/"/>`, "not in the namespace"},
		{"wrong root", `<UpdateHealthCheckRequest ` + ns + `/>`, "root element must be CreateHealthCheckRequest"},
		{"attribute", `<CreateHealthCheckRequest ` + ns + ` id="1"/>`, "Unexpected attribute id"},
		{"second root", `<CreateHealthCheckRequest ` + ns + `/><CreateHealthCheckRequest ` + ns + `/>`, "Unexpected element"},
		{"text after", `<CreateHealthCheckRequest ` + ns + `/>junk`, "Text outside"},
		{"missing config", `<CreateHealthCheckRequest ` + ns + `><CallerReference>r</CallerReference></CreateHealthCheckRequest>`, "are required"},
		{"unknown element", wrap(`<Type>TCP</Type><Colour>red</Colour>`), "Unknown element Colour in HealthCheckConfig"},
		{"cloudwatch element", wrap(`<Type>TCP</Type><AlarmIdentifier/>`), "Unknown element AlarmIdentifier"},
		{"twice", wrap(`<Type>TCP</Type><Port>1</Port><Port>2</Port>`), "Element Port appears twice"},
		{"no type", wrap(`<Port>1</Port>`), "requires Type"},
		{"bad int", wrap(`<Type>TCP</Type><Port>eighty</Port>`), `Port must be an integer, not "eighty"`},
		{"huge int", wrap(`<Type>TCP</Type><Port>99999999999999999999</Port>`), "Port must be an integer"},
		{"bad bool", wrap(`<Type>TCP</Type><Inverted>yes</Inverted>`), "Inverted must be true or false"},
		{"element in leaf", wrap(`<Type><b>TCP</b></Type>`), "must hold text"},
		{"mixed", wrap(`<Type>TCP</Type>text<Port>1</Port>`), "both text and elements"},
		{"list item", wrap(`<Type>CALCULATED</Type><ChildHealthChecks><Child>a</Child></ChildHealthChecks>`), "expected ChildHealthCheck"},
		{"deep", wrap(strings.Repeat("<a>", 10) + strings.Repeat("</a>", 10)), "too large or too deeply nested"},
		{"many", wrap(`<Type>CALCULATED</Type><ChildHealthChecks>` + strings.Repeat("<ChildHealthCheck>a</ChildHealthCheck>", 1100) + `</ChildHealthChecks>`), "too large"},
	} {
		_, err := DecodeCreate(strings.NewReader(c.doc))
		if err == nil || err.Code != "InvalidInput" || err.Status != http.StatusBadRequest || !strings.Contains(err.Message, c.msg) {
			t.Errorf("%s: got %v, want InvalidInput containing %q", c.name, err, c.msg)
		}
	}
}

func TestDecodeUpdate(t *testing.T) {
	doc := `<UpdateHealthCheckRequest ` + ns + `><HealthCheckVersion>3</HealthCheckVersion><Port>81</Port>` +
		`<SearchString></SearchString><Disabled>true</Disabled><ChildHealthChecks/>` +
		`<ResetElements><ResettableElementName>Regions</ResettableElementName></ResetElements></UpdateHealthCheckRequest>`
	u, err := DecodeUpdate(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if *u.HealthCheckVersion != 3 || *u.Port != 81 || *u.SearchString != "" || !*u.Disabled || u.ChildHealthChecks == nil ||
		len(*u.ChildHealthChecks) != 0 || u.IPAddress != nil || u.Inverted != nil || strings.Join(u.ResetElements, ",") != "Regions" {
		t.Errorf("got %+v", u)
	}
	for _, bad := range []string{
		`<UpdateHealthCheckRequest ` + ns + `><HealthCheckVersion>x</HealthCheckVersion></UpdateHealthCheckRequest>`,
		`<UpdateHealthCheckRequest ` + ns + `><Type>TCP</Type></UpdateHealthCheckRequest>`,
		`<UpdateHealthCheckRequest ` + ns + `><RequestInterval>10</RequestInterval></UpdateHealthCheckRequest>`,
		`<UpdateHealthCheckRequest ` + ns + `><ResetElements><Name>Regions</Name></ResetElements></UpdateHealthCheckRequest>`,
	} {
		if _, err := DecodeUpdate(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// createDoc is a CreateHealthCheckRequest as a client writes it.
type createDoc struct {
	XMLName           xml.Name          `xml:"CreateHealthCheckRequest"`
	Xmlns             string            `xml:"xmlns,attr"`
	CallerReference   string            `xml:"CallerReference"`
	HealthCheckConfig HealthCheckConfig `xml:"HealthCheckConfig"`
}

// FuzzCreate: every document is refused with InvalidInput or decodes; a decoded
// request that Create accepts maps onto a Spec that the engine's validation
// accepts, and the stored check written back as a request decodes to the same.
func FuzzCreate(f *testing.F) {
	for _, cfg := range []string{
		`<Type>HTTP</Type><IPAddress>192.0.2.1</IPAddress>`,
		`<Type>HTTPS_STR_MATCH</Type><FullyQualifiedDomainName>a.example</FullyQualifiedDomainName><SearchString>ok</SearchString><EnableSNI>false</EnableSNI><Port>8443</Port>`,
		`<Type>TCP</Type><IPAddress>2001:db8::1</IPAddress><Port>53</Port><RequestInterval>10</RequestInterval><FailureThreshold>1</FailureThreshold><Inverted>true</Inverted>`,
		`<Type>CALCULATED</Type><HealthThreshold>0</HealthThreshold><ChildHealthChecks><ChildHealthCheck>a</ChildHealthCheck></ChildHealthChecks><Disabled>true</Disabled>`,
		`<Type>HTTP</Type><IPAddress>192.0.2.1</IPAddress><Regions><Region>us-east-1</Region><Region>us-west-1</Region><Region>us-west-2</Region></Regions><ResourcePath>x y</ResourcePath>`,
		`<Type>HTTP</Type><FullyQualifiedDomainName>.</FullyQualifiedDomainName><ResourcePath>%41?q=%20</ResourcePath>`,
		`<Type>HTTPS</Type><IPAddress>::ffff:192.0.2.1</IPAddress><FullyQualifiedDomainName>x_y.example.</FullyQualifiedDomainName><Port>443</Port>`,
	} {
		f.Add(`<CreateHealthCheckRequest ` + ns + `><CallerReference>r</CallerReference><HealthCheckConfig>` + cfg + `</HealthCheckConfig></CreateHealthCheckRequest>`)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		req, err := DecodeCreate(strings.NewReader(doc))
		if err != nil {
			if err.Code != "InvalidInput" || err.Status != 400 {
				t.Fatalf("decode error %v", err)
			}
			return
		}
		hc, created, err := Create(req, nil, false)
		if err != nil {
			if err.Code != "InvalidInput" {
				t.Fatalf("create error %v", err)
			}
			return
		}
		if !created {
			t.Fatal("not created")
		}
		spec, serr := ToSpec(hc.ID, hc.HealthCheckConfig)
		if serr != nil {
			t.Fatalf("valid config %+v does not map: %v", hc.HealthCheckConfig, serr)
		}
		if spec.Type != healthcheck.TypeCalculated {
			if err := healthcheck.ValidateSet([]healthcheck.Spec{spec}); err != nil {
				t.Fatalf("spec %+v: %v", spec, err)
			}
		}
		out, merr := xml.Marshal(createDoc{Xmlns: apierr.Namespace, CallerReference: req.CallerReference, HealthCheckConfig: hc.HealthCheckConfig})
		if merr != nil {
			t.Fatal(merr)
		}
		again, err := DecodeCreate(strings.NewReader(string(out)))
		if err != nil {
			t.Fatalf("re-decode of %s: %v", out, err)
		}
		prior := hc
		if same, _, err := Create(again, &prior, false); err != nil || same.ID != hc.ID {
			t.Fatalf("the stored check written back is another config: %v\n%s", err, out)
		}
	})
}
