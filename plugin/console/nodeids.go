package console

import (
	"strconv"

	"github.com/coretraffic/coretraffic/policy"
)

// nodeIDs gives every node of a view an id unique in its tree: its label (its name,
// else its tree path — what explain's steps name) when no other node has that
// label, else its tree path. Labels repeat when an alias inlines a target whose
// record sets are named like another's ("primary" under two targets).
func nodeIDs(view []policy.NodeView, setLabel string) []string {
	count := map[string]int{}
	for _, v := range view {
		count[v.Label]++
	}
	ids := make([]string, len(view))
	paths := make([]string, len(view))
	for i, v := range view {
		if v.Parent < 0 {
			paths[i] = setLabel
		} else {
			paths[i] = paths[v.Parent] + "/" + strconv.Itoa(v.Index)
		}
		ids[i] = v.Label
		if count[v.Label] > 1 {
			ids[i] = paths[i]
		}
	}
	return ids
}

// traceIDs maps the steps of an explain trace onto the view's node ids. A step at
// depth d is a child of the last step at depth d−1, and siblings have distinct
// labels, so each step names one node; a step that names none (the tree changed
// between the answer and the view) keeps its label.
func traceIDs(view []policy.NodeView, ids []string, steps []policy.Step) []string {
	children := make([][]int, len(view))
	for i, v := range view {
		if v.Parent >= 0 {
			children[v.Parent] = append(children[v.Parent], i)
		}
	}
	out := make([]string, len(steps))
	var at []int // at[d]: the view index of the last step at depth d
	for k, st := range steps {
		idx := -1
		switch {
		case st.Depth == 0 && len(view) > 0 && view[0].Label == st.Node:
			idx = 0
		case st.Depth > 0 && st.Depth <= len(at) && at[st.Depth-1] >= 0:
			for _, c := range children[at[st.Depth-1]] {
				if view[c].Label == st.Node {
					idx = c
					break
				}
			}
		}
		at = append(at[:min(st.Depth, len(at))], idx)
		out[k] = st.Node
		if idx >= 0 {
			out[k] = ids[idx]
		}
	}
	return out
}
