package main

import (
	"bytes"
	"os"
	"testing"
)

// TestTableUpToDate: the committed table is what the generator makes from the
// installed iso-codes (skipped where the package is not installed).
func TestTableUpToDate(t *testing.T) {
	const iso = "/usr/share/iso-codes/json"
	if _, err := os.Stat(iso + "/iso_3166-2.json"); err != nil {
		t.Skipf("iso-codes not installed: %v", err)
	}
	got, err := generate(iso)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../geocodes_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("policy/geocodes_table.go differs from what iso-codes in %s gives: run go generate ./policy", iso)
	}
}

// TestGenerateRefusesPartialData: a directory without the whole standard is an error.
func TestGenerateRefusesPartialData(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"iso_3166-1.json": `{"3166-1": [{"alpha_2": "DE", "alpha_3": "DEU", "name": "Germany"}]}`,
		"iso_3166-2.json": `{"3166-2": [{"code": "DE-HE", "name": "Hessen", "type": "Land"}]}`,
	} {
		if err := os.WriteFile(dir+"/"+name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := generate(dir); err == nil {
		t.Fatal("one country accepted as the standard")
	}
}
