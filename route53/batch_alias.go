package route53

import (
	"fmt"
	"slices"
)

// group names the record sets of one name and type.
type group struct{ name, typ string }

// checkAliases checks the aliases the batch touched: each targets an existing record
// set of the zone of its own type, and following aliases never comes back; and no
// alias is left targeting a name and type the batch emptied.
func (b *batch) checkAliases() {
	emptied := map[group]bool{}
	names := make([]string, 0, len(b.byName))
	for n := range b.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		for _, k := range b.byName[n] {
			rs := b.over[k]
			g := group{k.name, k.typ}
			if rs == nil {
				if len(b.groupOf(g)) == 0 {
					emptied[g] = true
				}
				continue
			}
			if rs.AliasTarget == nil {
				continue
			}
			t := group{rs.AliasTarget.DNSName, rs.Type}
			if len(b.groupOf(t)) == 0 {
				b.msgs = append(b.msgs, aliasNotFound(rs, b.z.ID))
				continue
			}
			if b.cycle(g) {
				b.msgs = append(b.msgs, fmt.Sprintf("Tried to create an alias that targets %s, type %s in zone %s, but the aliases would form a cycle", rs.AliasTarget.DNSName, rs.Type, b.z.ID))
			}
		}
	}
	if len(emptied) == 0 {
		return
	}
	check := func(rs *ResourceRecordSet) {
		if rs == nil || rs.AliasTarget == nil {
			return
		}
		t := group{rs.AliasTarget.DNSName, rs.Type}
		if emptied[t] {
			b.msgs = append(b.msgs, fmt.Sprintf("Tried to delete resource record set [name='%s', type='%s'] but it is the target of the alias resource record set %s", t.name, t.typ, rrsetRef(rs)))
			delete(emptied, t)
		}
	}
	for i := range b.cur {
		if b.cur[i].AliasTarget == nil {
			continue
		}
		if _, changed := b.over[keyOf(&b.cur[i])]; !changed {
			check(&b.cur[i])
		}
	}
	keys := make([]rkey, 0, len(b.over))
	for k := range b.over {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y rkey) int {
		return compareRecordSets(&ResourceRecordSet{Name: x.name, Type: x.typ, SetIdentifier: x.id}, &ResourceRecordSet{Name: y.name, Type: y.typ, SetIdentifier: y.id})
	})
	for _, k := range keys {
		check(b.over[k])
	}
}

// groupOf returns the record sets of a name and type as the batch left them.
func (b *batch) groupOf(g group) []*ResourceRecordSet {
	var out []*ResourceRecordSet
	for _, rs := range b.atName(g.name) {
		if rs.Type == g.typ {
			out = append(out, rs)
		}
	}
	return out
}

// cycle reports whether following the aliases from start leads back to it.
func (b *batch) cycle(start group) bool {
	seen := map[group]bool{}
	stack := []group{start}
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, rs := range b.groupOf(g) {
			if rs.AliasTarget == nil {
				continue
			}
			t := group{rs.AliasTarget.DNSName, rs.Type}
			if t == start {
				return true
			}
			if !seen[t] {
				seen[t] = true
				stack = append(stack, t)
			}
		}
	}
	return false
}
