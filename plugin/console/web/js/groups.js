// Record set groups (one per name and type, as /api/zones/{id}/rrsets lists them).

// biggestTree picks the record set to show first: of those no alias points into, the
// one whose tree (through aliases) holds the most record sets.
export function biggestTree(groups) {
  const byName = new Map(groups.map((g) => [`${g.name.toLowerCase()}/${g.type}`, g]));
  const targets = (g) => g.record_sets.filter((r) => r.AliasTarget).map((r) => byName.get(`${r.AliasTarget.DNSName.toLowerCase()}/${g.type}`)).filter(Boolean);
  const pointed = new Set(groups.flatMap(targets));
  const size = (g, seen = new Set()) => {
    if (seen.has(g)) return 0;
    seen.add(g);
    return g.record_sets.length + targets(g).reduce((a, t) => a + size(t, seen), 0);
  };
  let best = null;
  for (const g of groups) if (!pointed.has(g) && (!best || size(g) > size(best))) best = g;
  return (best || groups[0])?.set || '';
}
