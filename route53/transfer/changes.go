package transfer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
)

// ChangeFilter selects logged changes.
type ChangeFilter struct {
	Since    string // route53.ParseSince's forms: "7d", "36h", an RFC 3339 time; "": all
	Zone     string // a hosted zone ID or name; "": every zone
	MaxItems int    // 0: the server's default (100)
}

// Changes lists logged changes, newest first (the change log extension).
func (c *Client) Changes(ctx context.Context, f ChangeFilter) (*route53.ListChangesResponse, error) {
	q := url.Values{}
	if f.Since != "" {
		q.Set("since", f.Since)
	}
	if f.Zone != "" {
		q.Set("zone", f.Zone)
	}
	if f.MaxItems > 0 {
		q.Set("maxitems", strconv.Itoa(f.MaxItems))
	}
	var out route53.ListChangesResponse
	return &out, c.call(ctx, http.MethodGet, "changes?"+q.Encode(), &out)
}

// Revert applies the inverse of change id as a new change and returns it.
func (c *Client) Revert(ctx context.Context, id string) (route53.ChangeInfo, error) {
	var out route53.RevertChangeResponse
	err := c.call(ctx, http.MethodPost, "change/"+url.PathEscape(strings.TrimPrefix(id, "/change/"))+"/revert", &out)
	return out.ChangeInfo, err
}

// call sends a signed request to the extension and decodes its answer; a Route
// 53 error document becomes an *apierr.Error. Throttling is retried with backoff.
func (c *Client) call(ctx context.Context, method, path string, out any) error {
	for attempt := 0; ; attempt++ {
		err := c.try(ctx, method, path, out)
		var ae *apierr.Error
		if attempt >= 8 || !errors.As(err, &ae) || ae.Code != "Throttling" {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(100<<min(attempt, 5)) * time.Millisecond):
		}
	}
}

func (c *Client) try(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.endpoint, "/")+route53.ChangeLogPath+path, http.NoBody)
	if err != nil {
		return err
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "route53", Region, time.Now()); err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return decodeError(resp.StatusCode, body)
	}
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: answer: %w", method, req.URL.Path, err)
	}
	return nil
}

// decodeError reads Route 53's error document.
func decodeError(status int, body []byte) error {
	var doc struct {
		Code     string   `xml:"Error>Code"`
		Message  string   `xml:"Error>Message"`
		Messages []string `xml:"Error>Messages>Message"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil || doc.Code == "" {
		return fmt.Errorf("HTTP %d: %s", status, bytes.TrimSpace(body[:min(len(body), 200)]))
	}
	return &apierr.Error{Code: doc.Code, Status: status, Message: doc.Message, Messages: doc.Messages}
}
