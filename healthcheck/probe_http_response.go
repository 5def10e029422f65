package healthcheck

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"strconv"
	"sync"
)

// drainLimit is how much of a body a keepalive probe reads past the match to reuse
// the connection; longer bodies close it.
const drainLimit = 64 << 10

// head is what a check needs of a response's head.
type head struct {
	code     int
	body     io.Reader // nil when the body does not matter (no match, no keepalive)
	reusable bool      // framed body and no "Connection: close"
	chunked  bool
}

var errMalformed = errors.New("malformed HTTP response")

// readHead reads the status line and, when the body matters (a match, or
// keepalive), the headers for the body's framing. Nothing is allocated for the
// headers.
func (p *httpProber) readHead(br *bufio.Reader) (head, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return head{}, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return head{}, errMalformed
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil || code < 100 {
		return head{}, errMalformed
	}
	h := head{code: code}
	if p.match == nil && !p.s.KeepAlive {
		return h, nil
	}
	chunked, length, closing := false, int64(-1), line[7] == '0' // HTTP/1.0 closes
	for {
		line, err = br.ReadSlice('\n')
		for err == bufio.ErrBufferFull { // a header longer than the buffer: skip it
			_, err = br.ReadSlice('\n')
			line = nil
		}
		if err != nil {
			return head{}, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.ToLower(bytes.TrimSpace(value))
		switch {
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.Contains(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Content-Length")):
			if n, err := strconv.ParseInt(string(value), 10, 64); err == nil && n >= 0 {
				length = n
			}
		case bytes.EqualFold(name, []byte("Connection")):
			closing = closing || bytes.Contains(value, []byte("close"))
		}
	}
	h.reusable = !closing
	switch {
	case p.s.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified:
		h.body = bytes.NewReader(nil)
	case chunked:
		h.body, h.chunked = httputil.NewChunkedReader(br), true
	case length >= 0:
		h.body = io.LimitReader(br, length)
	default:
		h.body, h.reusable = br, false // until the server closes
	}
	return h, nil
}

var matchBufs = sync.Pool{New: func() any { b := make([]byte, 8<<10); return &b }}

// contains reports whether match occurs in the first limit bytes of r, reading
// through a pooled buffer and keeping len(match)-1 bytes between reads.
func contains(r io.Reader, match []byte, limit int) (bool, error) {
	bp := matchBufs.Get().(*[]byte)
	defer matchBufs.Put(bp)
	buf := *bp
	keep := len(match) - 1
	if keep >= len(buf)/2 {
		b, err := io.ReadAll(io.LimitReader(r, int64(limit)))
		return bytes.Contains(b, match), err
	}
	carry, read := 0, 0
	for read < limit {
		n, err := r.Read(buf[carry:min(len(buf), carry+limit-read)])
		read += n
		if bytes.Contains(buf[:carry+n], match) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if carry+n > keep {
			copy(buf, buf[carry+n-keep:carry+n])
			carry = keep
		} else {
			carry += n
		}
	}
	return false, nil
}

// skipTrailer reads the trailer section that follows the last chunk.
func skipTrailer(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return nil
		}
	}
}
