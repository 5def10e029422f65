package policy

// MergeZones adds zones from a file; a zone the Corefile's compact records already
// opened takes the file's settings and keeps both sets of records.
func MergeZones(have, add []*Zone) []*Zone {
	for _, z := range add {
		merged := false
		for i, h := range have {
			if h.Origin == z.Origin && h.Pos.File == "" { // an inline zone
				nz := *z
				nz.Records = append(append([]*RecordSet(nil), z.Records...), h.Records...)
				have[i] = &nz
				merged = true
			}
		}
		if !merged {
			have = append(have, z)
		}
	}
	return have
}
