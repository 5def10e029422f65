package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"go.yaml.in/yaml/v3"

	"github.com/coretraffic/coretraffic/route53"
)

// CIDR collections as the aws CLI prints them: list-cidr-collections names them
// (Id, Name), list-cidr-blocks --collection-id ID lists one's blocks by location.

type cliCollections struct {
	CidrCollections []struct {
		Arn     string `json:",omitempty"`
		Id      string
		Name    string
		Version int64 `json:",omitempty"`
	}
	NextToken *string `json:",omitempty"`
}

type cliBlocks struct {
	CidrBlocks []cliBlock
	NextToken  *string `json:",omitempty"`
}

type cliBlock struct{ CidrBlock, LocationName string }

// readCollections reads list-cidr-collections output and, per collection ID,
// list-cidr-blocks output ("ID=FILE").
func readCollections(collections []string, blocks []string) ([]*route53.CidrCollection, error) {
	var out []*route53.CidrCollection
	byID := map[string]*route53.CidrCollection{}
	for _, path := range collections {
		var doc cliCollections
		if err := decodeStrict(path, &doc); err != nil {
			return nil, err
		}
		for _, c := range doc.CidrCollections {
			if c.Id == "" || c.Name == "" || byID[c.Id] != nil {
				return nil, fmt.Errorf("%s: CIDR collection %q (%q): Id and Name are required, once", path, c.Id, c.Name)
			}
			cc := &route53.CidrCollection{ID: c.Id, Name: c.Name, Version: c.Version, Locations: map[string][]string{}}
			byID[c.Id] = cc
			out = append(out, cc)
		}
	}
	for _, arg := range blocks {
		id, path, ok := strings.Cut(arg, "=")
		if !ok || byID[id] == nil {
			return nil, fmt.Errorf("-cidr-blocks %s: want ID=FILE, ID a collection of the -cidr-collections files", arg)
		}
		var doc cliBlocks
		if err := decodeStrict(path, &doc); err != nil {
			return nil, err
		}
		for _, b := range doc.CidrBlocks {
			byID[id].Locations[b.LocationName] = append(byID[id].Locations[b.LocationName], b.CidrBlock)
		}
	}
	return out, nil
}

func decodeStrict(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: more than one document", path)
	}
	return nil
}

// CollectionsFile and BlocksFile are the names WriteCLI gives CIDR collections'
// outputs.
const CollectionsFile = "cidrcollections.json"

// BlocksFile is the list-cidr-blocks output of collection id.
func BlocksFile(id string) string { return "cidrblocks." + id + ".json" }

// cliCollectionFiles are the collections' list-cidr-collections and per
// collection list-cidr-blocks outputs, by file name.
func cliCollectionFiles(colls []*route53.CidrCollection) (map[string][]byte, error) {
	out := map[string][]byte{}
	var list cliCollections
	for _, c := range colls {
		list.CidrCollections = append(list.CidrCollections, struct {
			Arn     string `json:",omitempty"`
			Id      string
			Name    string
			Version int64 `json:",omitempty"`
		}{c.ARN(), c.ID, c.Name, c.Version})
		blocks := cliBlocks{CidrBlocks: []cliBlock{}}
		for _, l := range slices.Sorted(maps.Keys(c.Locations)) {
			for _, b := range c.Locations[l] {
				blocks.CidrBlocks = append(blocks.CidrBlocks, cliBlock{b, l})
			}
		}
		data, err := marshalCLI(blocks)
		if err != nil {
			return nil, err
		}
		out[BlocksFile(c.ID)] = data
	}
	data, err := marshalCLI(list)
	out[CollectionsFile] = data
	return out, err
}

// cidrSection is the data file's cidr_collections: section.
func cidrSection(colls []*route53.CidrCollection) (*yaml.Node, error) {
	m := mapping()
	for _, c := range colls {
		locs := mapping()
		for _, l := range slices.Sorted(maps.Keys(c.Locations)) {
			blocks := flow(seq())
			for _, b := range c.Locations[l] {
				blocks.Content = append(blocks.Content, str(b))
			}
			if len(blocks.Content) > 0 {
				add(locs, l, blocks)
			}
		}
		if len(locs.Content) == 0 {
			return nil, fmt.Errorf("CIDR collection %s has no blocks: a data file cannot hold it", c.Name)
		}
		cn := mapping()
		add(cn, "locations", locs)
		add(m, c.Name, cn)
	}
	return m, nil
}

// importCollections creates b's CIDR collections (CallerReference
// "import ID") with their blocks, and records their new IDs.
func (c *Client) importCollections(ctx context.Context, colls []*route53.CidrCollection, out *Imported) error {
	for _, cc := range colls {
		res, err := c.R53.CreateCidrCollection(ctx, &r53.CreateCidrCollectionInput{Name: aws.String(cc.Name), CallerReference: aws.String("import " + cc.ID)})
		if err != nil {
			return fmt.Errorf("CIDR collection %s (%s): %w", cc.ID, cc.Name, err)
		}
		id := aws.ToString(res.Collection.Id)
		out.CollectionIDs[cc.ID] = id
		var changes []types.CidrCollectionChange
		n := 0
		flush := func() error {
			if len(changes) == 0 {
				return nil
			}
			_, err := c.R53.ChangeCidrCollection(ctx, &r53.ChangeCidrCollectionInput{Id: aws.String(id), Changes: changes})
			changes, n = nil, 0
			return err
		}
		for _, l := range slices.Sorted(maps.Keys(cc.Locations)) {
			for blocks := range slices.Chunk(cc.Locations[l], 1000) {
				if n+len(blocks) > 1000 {
					if err := flush(); err != nil {
						return fmt.Errorf("CIDR collection %s: %w", cc.Name, err)
					}
				}
				changes = append(changes, types.CidrCollectionChange{LocationName: aws.String(l), Action: types.CidrCollectionChangeActionPut, CidrList: blocks})
				n += len(blocks)
			}
		}
		if err := flush(); err != nil {
			return fmt.Errorf("CIDR collection %s: %w", cc.Name, err)
		}
	}
	return nil
}

// exportCollections reads the server's CIDR collections with their blocks.
func (c *Client) exportCollections(ctx context.Context) ([]*route53.CidrCollection, error) {
	var out []*route53.CidrCollection
	cols := r53.NewListCidrCollectionsPaginator(c.R53, &r53.ListCidrCollectionsInput{})
	for cols.HasMorePages() {
		page, err := cols.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.CidrCollections {
			cc := &route53.CidrCollection{ID: aws.ToString(s.Id), Name: aws.ToString(s.Name), Version: aws.ToInt64(s.Version), Locations: map[string][]string{}}
			blocks := r53.NewListCidrBlocksPaginator(c.R53, &r53.ListCidrBlocksInput{CollectionId: s.Id})
			for blocks.HasMorePages() {
				bp, err := blocks.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("CIDR collection %s: %w", cc.Name, err)
				}
				for _, b := range bp.CidrBlocks {
					l := aws.ToString(b.LocationName)
					cc.Locations[l] = append(cc.Locations[l], aws.ToString(b.CidrBlock))
				}
			}
			out = append(out, cc)
		}
	}
	return out, nil
}
