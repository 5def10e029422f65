package policy

import (
	"bufio"
	"io"
	"unicode/utf8"
)

// The YAML decoder reports some errors without a position: bytes that are not
// UTF-8 and control characters (a binary file, a truncated multi-byte character).
// badByte finds where: the first byte YAML cannot read, by the same rules.

// countingReader counts the bytes a reader handed out.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// badByte returns the offset and line of the first byte of r, within limit bytes,
// that is not valid UTF-8 or is a character YAML does not allow (YAML 1.2 §5.1:
// tab, line breaks and the printable ranges). When there is none (found false), it
// returns how many bytes it read and the line they end on: the decoder gave up
// there (an unexpected end of the stream).
func badByte(r io.Reader, limit int64) (off int64, line int, found bool) {
	br := bufio.NewReader(io.LimitReader(r, limit))
	line = 1
	for {
		c, size, err := br.ReadRune()
		if err != nil {
			return off, line, false
		}
		if c == utf8.RuneError && size == 1 || !yamlPrintable(c) {
			return off, line, true
		}
		if c == '\n' {
			line++
		}
		off += int64(size)
	}
}

func yamlPrintable(c rune) bool {
	switch {
	case c == '\t' || c == '\n' || c == '\r' || c == 0x85:
		return true
	case c >= 0x20 && c <= 0x7e, c >= 0xa0 && c <= 0xd7ff, c >= 0x10000 && c <= 0x10ffff:
		return true
	case c >= 0xe000 && c <= 0xfffd:
		return c != 0xfeff
	}
	return false
}
